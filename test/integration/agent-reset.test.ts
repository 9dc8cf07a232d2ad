// `kubelab agent reset` on a node whose agent stopped with its pods still running (as SIGTERM
// leaves them, by design): the real CLI removes every container, mount, pod network namespace,
// IP, the node bridge, the agent's cgroups and its state folder, says so one line per kind, and
// a second reset finds nothing. Another agent on the same machine keeps its pods running.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { existingCgroupDirs } from '../../src-main/agent/runtime/cgroups.ts';
import { startTestNode, type TestNode } from './harness/agent-node.ts';
import { waitFor } from './harness/cluster.ts';
import { REPO_ROOT } from './harness/kubectl.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
const PODS = 3;
let a: TestNode;
let b: TestNode;
let scratch: string;

function kubelab(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const resetArgs = (node: TestNode) => ['agent', 'reset', '--state-dir', node.stateDir, '--runtime-root', join(node.dir, 'runc'), '--cgroup-parent', node.layout.parent, '--cni-netns', node.hostNetns];

function pod(node: TestNode, name: string) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 2,
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }, { name: 'conf', configMap: { name: 'conf' } }],
      containers: [{
        name: 'main', image: node.image, command: ['sh', '-c', 'echo up > /scratch/state; while true; do sleep 1; done'],
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'conf', mountPath: '/conf' }],
      }],
    },
  };
}

async function runPods(node: TestNode, names: string[]): Promise<void> {
  const { client } = node.cluster;
  await client.create({ group: '', version: 'v1', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' }, data: { a: '1' } }, { namespace: 'default' });
  for (const name of names) await client.create(gvr.pods, pod(node, name), { namespace: 'default' });
  await waitFor(`${node.nodeName}'s pods Running`, async () => {
    const pods = (await client.list<Pod>(gvr.pods, { namespace: 'default' })).items;
    return pods.length === names.length && pods.every((p) => p.status?.phase === 'Running');
  }, 90_000, 100);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Processes running the runtime on this node's root: its run shims and `runc run`. */
const runtimeProcesses = (node: TestNode) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(join(node.dir, 'runc'));
  } catch {
    return false;
  }
});
const bridgeIn = (netns: string) => {
  try {
    execFileSync('ip', ['-n', netns, 'link', 'show', 'dev', 'kubelab0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'kubelab-reset-'));
  a = await startTestNode('klrsa');
  b = await startTestNode('klrsb');
  await runPods(a, Array.from({ length: PODS }, (_, i) => `web-${i}`));
  await runPods(b, ['other']);
}, 240_000);

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  const leftB = await b?.stop();
  await a?.stop();
  expect(leftB).toEqual({ containers: [], mounts: [], netns: [], cgroups: [] });
}, 120_000);

describe('kubelab agent reset', () => {
  it('refuses a folder that is not an agent state folder, and touches nothing', async () => {
    writeFileSync(join(scratch, 'notes.txt'), 'mine');
    const r = await kubelab(['agent', 'reset', '--state-dir', scratch, '--cgroup-parent', `/kubelab/none-${process.pid}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`kubelab: agent reset: --state-dir ${scratch} is not a Kubelab agent's state folder (it has none of pki, images, pods, containers, cni, logs, runtime, network): nothing removed`]);
    expect(readdirSync(scratch)).toEqual(['notes.txt']);
    expect((await kubelab(['agent', 'reset', '--runtime', 'docker'])).stderr).toContain('--runtime must be runc or crun, not "docker"');
  });

  it('leaves a mount that is not the agent\'s, and then keeps the state folder, exit 1', async () => {
    const state = join(scratch, 'state');
    const disk = join(state, 'images');
    execFileSync('mkdir', ['-p', join(state, 'pki'), disk]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    try {
      writeFileSync(join(disk, 'keep'), 'on a disk of its own');
      const r = await kubelab(['agent', 'reset', '--state-dir', state, '--cgroup-parent', `/kubelab/none-${process.pid}`]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        `reset: could not remove: mount ${disk} is not the agent's: left mounted`,
        `reset: could not remove: state folder ${state}: not removed, ${disk} still mounted`,
      ]);
      expect(readdirSync(disk)).toEqual(['keep']);
      expect(readdirSync(state).sort()).toEqual(['images', 'pki']);
    } finally {
      execFileSync('umount', [disk]);
    }
  });

  it('removes everything of a stopped agent, and a second reset finds nothing', async () => {
    // What run-agent's SIGTERM handler does: the kubelet, the endpoint and the Node's loops stop;
    // the containers stay (a restarted agent would adopt them).
    a.kubelet.stop();
    await a.server.stop();
    const containers = await a.runtime.list();
    expect(containers.filter((c) => c.status === 'running')).toHaveLength(PODS);
    const before = await a.leftovers();
    expect(before.netns).toHaveLength(PODS);
    expect(before.mounts).toHaveLength(2 * PODS);
    expect(bridgeIn(a.hostNetns)).toBe(true);
    expect(runtimeProcesses(a).length).toBeGreaterThanOrEqual(PODS);

    const r = await kubelab(resetArgs(a));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `containers: killed and deleted ${PODS}`,
      `mounts: unmounted ${2 * PODS} (container root filesystems and pod volumes)`,
      `network namespaces: deleted ${PODS}`,
      `pod IPs: released ${PODS}`,
      `bridge: deleted kubelab0 (network namespace ${a.hostNetns})`,
      `cgroups: removed ${a.layout.parent} (${PODS} pod cgroups)`,
      `state folder: removed ${a.stateDir}`,
    ]);
    // The runtime's root (outside the state folder here) went too, empty once its containers had
    // (looked at first: listing containers makes it again).
    expect(existsSync(join(a.dir, 'runc'))).toBe(false);
    expect(await a.leftovers()).toEqual({ containers: [], mounts: [], netns: [], cgroups: [] });
    expect(containers.filter((c) => alive(c.pid))).toEqual([]);
    expect(runtimeProcesses(a)).toEqual([]);
    expect(await existingCgroupDirs(a.layout, a.layout.parent)).toEqual([]);
    expect(existsSync(a.stateDir)).toBe(false);
    expect(bridgeIn(a.hostNetns)).toBe(false);

    const again = await kubelab(resetArgs(a));
    expect(again).toEqual({ code: 0, stdout: 'reset: nothing was left to remove\n', stderr: '' });
  }, 120_000);

  it("leaves the other agent's pods running", async () => {
    const p = await b.cluster.client.get<Pod>(gvr.pods, 'default', 'other');
    expect(p.status?.phase).toBe('Running');
    const [c] = await b.runtime.list();
    expect(c?.status).toBe('running');
    expect(alive(c!.pid)).toBe(true);
    expect(runtimeProcesses(b).length).toBeGreaterThan(0);
    const left = await b.leftovers();
    expect(left.netns).toHaveLength(1);
    expect(left.mounts).toHaveLength(2);
    // One pod cgroup, in each hierarchy the machine has.
    expect(left.cgroups.length).toBeGreaterThan(0);
    expect(left.cgroups.every((c) => c.endsWith(`/pod${p.metadata!.uid}`))).toBe(true);
    expect(bridgeIn(b.hostNetns)).toBe(true);
    expect(existsSync(join(b.stateDir, 'pods', p.metadata!.uid!))).toBe(true);
  });
});
