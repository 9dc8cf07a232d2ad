// `kubelab agent` on a pure cgroup v2 hierarchy, with runc and with crun. This machine is hybrid
// (v1 controllers beside an empty unified tree), which crun refuses, so each agent runs in a mount
// namespace of its own with the kernel's cgroup2 mounted at /sys/fs/cgroup: a real v2 tree, whose
// controllers are all still bound to v1, so none can be enabled there. The agent refuses that
// machine with one line, as the kubelet does, unless told that limits may go unenforced; then the
// runtime runs the pods (their devices filtered by eBPF, v2's device controller) and the agent
// removes their v2 cgroups. crun loads that filter only after raising RLIMIT_MEMLOCK, which needs
// CAP_SYS_RESOURCE: where the tests run without it (a sandbox), crun's pod is privileged, whose
// devices are all allowed and need no filter.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import type { Summary } from '../../src-main/agent/stats/summary-types.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { addBlackholeRoutes } from './harness/blackhole.ts';
import { buildBusyboxImage, pushImage } from '../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../fixtures/images/test-registry.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
// CAP_SYS_RESOURCE is bit 24 of the effective set.
const sysResource = (BigInt(`0x${/^CapEff:\s+(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`) >> 24n) & 1n;
const hasCrun = spawnSync('crun', ['--version']).status === 0;
const nodeName = (runtime: string) => `${runtime}-v2-${process.pid}`;
const cgroupParent = (runtime: string) => `/kubelab/${nodeName(runtime)}`;
// Each agent its own test host: two node bridges cannot share one network namespace.
const netns = (runtime: string) => `kla-${nodeName(runtime)}`;
const RUNTIMES = ['runc', 'crun'];
let cluster: TestCluster;
let kubectl: Kubectl;
let registry: TestRegistry;
let dir: string;
let removeRoutes: () => void;
const agents: ChildProcess[] = [];

/** The agent (or any command) in a new mount namespace whose /sys/fs/cgroup is cgroup2. */
function inCgroup2(args: string[]): string[] {
  // Propagation unchanged: /run/netns stays shared with the host (the pods' netns show there),
  // while the cgroup2 mount on the private /sys stays in this namespace.
  return ['unshare', '-m', '--propagation', 'unchanged', 'sh', '-c', 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"', 'cgroup2', ...args];
}

function agentArgs(runtime: string, extra: string[]): string[] {
  return [process.execPath, CLI, 'agent', '--kubeconfig', cluster.kubeconfigPath, '--node-name', nodeName(runtime), '--state-dir', join(dir, runtime),
    '--runtime', runtime, '--runtime-root', join(dir, `${runtime}-root`), '--cgroup-parent', cgroupParent(runtime), '--cni-netns', netns(runtime),
    '--node-ip', '127.0.0.1', '--port', '0', '--address', '127.0.0.1', ...extra];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-cgroup2-'));
  removeRoutes = addBlackholeRoutes();
  for (const r of RUNTIMES) execFileSync('ip', ['netns', 'add', netns(r)]);
  cluster = await startTestCluster();
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  registry = await startTestRegistry();
  await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
});
afterAll(async () => {
  // A test that failed midway leaves its pod: the agents stop it before they go (an agent that
  // stops leaves its pods running, by design).
  await kubectl?.run(['delete', 'pods', '--all', '--wait=true', '--timeout=60s']);
  for (const agent of agents.filter((a) => a.exitCode === null && a.signalCode === null)) {
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
  }
  // The agents' v2 cgroups went with their pods; their parents (and /kubelab) are removed here.
  const parents = RUNTIMES.map((r) => `/sys/fs/cgroup${cgroupParent(r)}`).join(' ');
  const [cmd, ...args] = inCgroup2(['sh', '-c', `rmdir ${parents} /sys/fs/cgroup/kubelab 2>/dev/null; true`]);
  execFileSync(cmd!, args);
  await registry?.stop();
  await kubectl?.cleanup();
  await cluster?.stop();
  for (const r of RUNTIMES) execFileSync('ip', ['netns', 'delete', netns(r)]);
  removeRoutes?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubelab agent on cgroup v2', () => {
  it('refuses a machine without the memory, cpu and pids controllers, with one line, before it registers a Node', async () => {
    const [cmd, ...args] = inCgroup2(agentArgs('runc', []));
    const run = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'kubelab: cgroup v2 at /sys/fs/cgroup has no cpu, memory, pids controllers: enable them on the kernel command line (cgroup_enable=memory on a Raspberry Pi), or pass --allow-missing-cgroup-controllers to run pods without those limits',
    );
    await expect(cluster.client.get<Node>(gvr.nodes, undefined, nodeName('runc'))).rejects.toThrow(/not found/);
  });

  for (const runtime of RUNTIMES) {
    it.skipIf(runtime === 'crun' && !hasCrun)(`runs pods with ${runtime}, exec and logs included, and removes their v2 cgroups when they go`, async () => {
      const name = nodeName(runtime);
      const root = join(dir, `${runtime}-root`);
      const [cmd, ...args] = inCgroup2(agentArgs(runtime, ['--allow-missing-cgroup-controllers']));
      const agent = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      agents.push(agent);
      let output = '';
      agent.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      agent.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      const node = await waitFor(`${name} Ready\n${output}`, async () => {
        const n = await cluster.client.get<Node>(gvr.nodes, undefined, name).catch(() => undefined);
        return n?.spec?.podCIDR !== undefined && n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && n;
      }, 30_000);
      const version = spawnSync(runtime, ['--version'], { encoding: 'utf8' }).stdout;
      expect(node.status!.nodeInfo!.containerRuntimeVersion).toBe(`${runtime}://${/version (\S+)/.exec(version)![1]}`);
      expect(output).toContain('agent: cgroup v2 without the cpu, memory, pids controllers: pod limits are not enforced');

      const podName = `on-${runtime}`;
      await cluster.client.create(gvr.pods, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: 'default' },
        spec: {
          nodeName: name, terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'main', image: `${registry.host}/test/busybox:1`, command: ['sh', '-c', 'echo started; cat /proc/self/cgroup; exec sleep 1000'],
            resources: { limits: { memory: '64Mi', cpu: '1' } }, securityContext: { privileged: runtime === 'crun' && sysResource === 0n },
          }, {
            // Exits: its status comes from the shim (crun 1.8 deletes an ended container itself).
            name: 'quits', image: `${registry.host}/test/busybox:1`, command: ['sh', '-c', 'exit 3'], securityContext: { privileged: runtime === 'crun' && sysResource === 0n },
          }],
        },
      });
      let last: Pod | undefined;
      const running = await waitFor(`${podName} Running`, async () => {
        last = await cluster.client.get<Pod>(gvr.pods, 'default', podName);
        return last.status?.phase === 'Running' && last;
      }, 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${JSON.stringify(last?.status?.containerStatuses)}\n${output}`);
      });
      const uid = running.metadata!.uid!;
      const status = running.status!.containerStatuses!.find((c) => c.name === 'main')!;
      expect(status.ready).toBe(true);
      expect(status.containerID).toMatch(new RegExp(`^${runtime}://`));
      const id = status.containerID!.slice(`${runtime}://`.length);
      // Asked from the agent's mount namespace: crun tells a live container by its v2 cgroup.
      const list = () => (JSON.parse(execFileSync('nsenter', ['-t', String(agent.pid), '-m', runtime, '--root', root, 'list', '--format', 'json'], { encoding: 'utf8' })) ?? []) as { id: string; status: string }[];
      expect(list().find((c) => c.id === id)?.status).toBe('running');

      const quits = await waitFor('quits restarted', async () => {
        const p = await cluster.client.get<Pod>(gvr.pods, 'default', podName);
        const q = p.status?.containerStatuses?.find((c) => c.name === 'quits');
        return q && q.restartCount >= 1 && q.lastState?.terminated && q;
      }, 30_000);
      expect(quits.lastState!.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
      expect(quits.lastState!.terminated!.containerID).toMatch(new RegExp(`^${runtime}://${uid}-quits-`));

      // The container sits in the agent's v2 tree (0::<parent>/pod<uid>/<id>); the kernel's v1
      // hierarchies, which the runtime does not manage here, keep it at their roots.
      const logs = await kubectl.ok(['logs', podName, '-c', 'main']);
      expect(logs).toMatch(/^started\n/);
      expect(logs).toContain(`\n0::${cgroupParent(runtime)}/pod${uid}/${id}\n`);
      expect(logs).toMatch(/\n\d+:pids:\/\n/);
      expect(await kubectl.ok(['exec', podName, '-c', 'main', '--', 'sh', '-c', 'echo from-exec > /dev/null && echo from-exec'])).toBe('from-exec\n');
      expect((await kubectl.run(['exec', podName, '-c', 'main', '--', 'sh', '-c', 'exit 3'])).code).toBe(3);

      // Stats from the v2 tree: CPU (cpu.stat is in every v2 cgroup), no memory without its controller.
      const summary = JSON.parse(await kubectl.ok(['get', '--raw', `/api/v1/nodes/${name}/proxy/stats/summary`])) as Summary;
      const podStats = summary.pods.find((p) => p.podRef.uid === uid)!;
      expect(podStats.containers.find((c) => c.name === 'main')!.cpu!.usageCoreNanoSeconds).toBeGreaterThan(0);
      expect(podStats.cpu!.usageCoreNanoSeconds).toBeGreaterThan(0);
      expect(podStats.memory).toBeUndefined();
      expect(summary.node.memory!.availableBytes).toBeGreaterThan(0);
      await kubectl.ok(['delete', 'pod', podName, '--wait=true', '--timeout=60s']);
      expect(list()).toEqual([]);
      // What is left is seen from the agent's own mount namespace (unshare and sh exec: the
      // process spawned is the agent): its v2 tree and its mounts.
      await waitFor('the pod cgroup removed', () => !existsSync(`/proc/${agent.pid}/root/sys/fs/cgroup${cgroupParent(runtime)}/pod${uid}`));
      expect(existsSync(`/proc/${agent.pid}/root/sys/fs/cgroup${cgroupParent(runtime)}`)).toBe(true);
      expect(readFileSync(`/proc/${agent.pid}/mounts`, 'utf8')).not.toContain(uid);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(uid);
    }, 120_000);
  }
});
