// `kubelab agent` as a worker runs it, in its own process against a real control plane: the Node
// it registers carries this machine's real capacity and identity, it goes Ready because runc
// answers, its Lease is renewed and owned by the Node, and a restarted agent takes its Node over.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { addBlackholeRoutes } from './harness/blackhole.ts';
import { buildBusyboxImage, pushImage } from '../fixtures/images/busybox-image.ts';
import { startTestRegistry } from '../fixtures/images/test-registry.ts';
import { Kubectl, REPO_ROOT } from './harness/kubectl.ts';

const CLI = join(REPO_ROOT, 'src-main/bin/kubelab.js');
let cluster: TestCluster;
let kubectl: Kubectl;
let dir: string;
const agents: ChildProcess[] = [];

function startAgent(name: string, extra: string[] = []): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, [CLI, 'agent', '--kubeconfig', cluster.kubeconfigPath, '--node-name', name, '--state-dir', join(dir, name), '--node-ip', '127.0.0.1', '--network', 'none', '--port', '0', '--address', '127.0.0.1', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  agents.push(proc);
  return { proc, output: () => text };
}

async function stopAgent(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  return exited;
}

const ready = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const getNode = (name: string) => cluster.client.get<Node>(gvr.nodes, undefined, name).catch(() => undefined);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-agent-'));
  cluster = await startTestCluster();
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
});
afterAll(async () => {
  for (const a of agents) await stopAgent(a);
  await kubectl?.cleanup();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubelab agent: the node', () => {
  it('registers this machine as a Ready node with its real capacity and identity', async () => {
    const agent = startAgent('agent-1');
    const node = await waitFor(`agent-1 Ready\n${agent.output()}`, async () => {
      const n = await getNode('agent-1');
      return ready(n) && n;
    });
    const memTotalKi = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(node.status!.capacity!.cpu).toBe(String(cpus().length));
    expect(node.status!.capacity!.memory).toBe(`${memTotalKi}Ki`);
    expect(node.status!.allocatable!.memory).toBe(`${memTotalKi - 100 * 1024}Ki`);
    expect(node.status!.capacity!.pods).toBe('110');
    expect(node.status!.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    const runc = spawnSync('runc', ['--version'], { encoding: 'utf8' }).stdout;
    expect(node.status!.nodeInfo).toMatchObject({
      kernelVersion: release(),
      bootID: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      containerRuntimeVersion: `runc://${/version (\S+)/.exec(runc)![1]}`,
    });
    expect(node.status!.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(node.metadata!.labels).toMatchObject({ 'kubernetes.io/hostname': 'agent-1', 'kubernetes.io/os': 'linux' });
    // The node IPAM controller gives it a pod range, as to any node.
    await waitFor('agent-1 podCIDR', async () => (await getNode('agent-1'))?.spec?.podCIDR);
    expect(await kubectl.ok(['get', 'node', 'agent-1'])).toMatch(/^agent-1\s+Ready\s+<none>\s+\S+\s+v1\.35\.0-kubelab/m);
  });

  it('keeps a Lease owned by the Node, and takes its Node over when restarted', async () => {
    const lease = await waitFor('agent-1 lease', () => cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'agent-1').catch(() => undefined));
    const node = (await getNode('agent-1'))!;
    expect(lease.spec).toMatchObject({ holderIdentity: 'agent-1', leaseDurationSeconds: 40 });
    expect(lease.metadata!.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'agent-1', uid: node.metadata!.uid }]);

    expect(await stopAgent(agents[0])).toBe(0);
    const again = startAgent('agent-1');
    await waitFor(`the restarted agent takes over\n${again.output()}`, () => again.output().includes('took it over'));
    const renewed = await waitFor('a renewed lease', async () => {
      const l = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'agent-1');
      return l.spec!.renewTime !== lease.spec!.renewTime && l;
    });
    expect(Date.parse(renewed.spec!.renewTime!)).toBeGreaterThan(Date.parse(lease.spec!.renewTime!));
    const after = (await getNode('agent-1'))!;
    expect(after.metadata!.uid).toBe(node.metadata!.uid);
    expect(after.spec!.podCIDR).toBe(node.spec!.podCIDR);
    expect(ready(after)).toBe(true);
  });

  it('runs the same from its one-file bundle, copied alone to a folder without node_modules', async () => {
    const bundle = join(dir, 'lone', 'kubelab-agent.js');
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'src-main/bin/agent-bundle.js'), bundle], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const proc = spawn(process.execPath, [bundle, '--kubeconfig', cluster.kubeconfigPath, '--node-name', 'agent-2', '--state-dir', join(dir, 'agent-2'), '--port', '0', '--address', '127.0.0.1'], {
      cwd: join(dir, 'lone'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    agents.push(proc);
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    await waitFor(`agent-2 Ready\n${err}`, async () => ready(await getNode('agent-2')));
    // --port 0: the endpoint took a free port, and the Node says which.
    const port = (await getNode('agent-2'))!.status!.daemonEndpoints!.kubeletEndpoint!.Port;
    expect(port).toBeGreaterThan(0);
    await waitFor(`the agent's endpoint line\n${err}`, () => err.includes(`HTTPS on 127.0.0.1:${port}`));
    expect(await stopAgent(proc)).toBe(0);
    const bad = spawnSync(process.execPath, [bundle, '--kubeconfig', cluster.kubeconfigPath, '--node-name', 'Not_A_Name'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('kubelab-agent: --node-name "not_a_name" is not a valid node name (lowercase letters, digits, \'-\' and \'.\')');
  });

  it('runs the pods bound to it, in a CNI network on a test host, and cleans up after a delete', async () => {
    const removeRoutes = addBlackholeRoutes();
    const registry = await startTestRegistry();
    const netns = `kla-node-${process.pid}`;
    execFileSync('ip', ['netns', 'add', netns]);
    const cgroupParent = `/kubelab/agent-3-${process.pid}`;
    const runtimeRoot = join(dir, 'agent-3-runtime');
    try {
      await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
      const agent = startAgent('agent-3', ['--cni-netns', netns, '--runtime-root', runtimeRoot, '--cgroup-parent', cgroupParent]);
      await waitFor(`agent-3 with a podCIDR\n${agent.output()}`, async () => (await getNode('agent-3'))?.spec?.podCIDR);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-agent-3', namespace: 'default' }, spec: { nodeName: 'agent-3', terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: `${registry.host}/test/busybox:1`, command: ['sleep', '1000'] }] } };
      await cluster.client.create(gvr.pods, pod);
      await cluster.client.create(gvr.pods, { ...pod, metadata: { name: 'orphan', namespace: 'default' } });
      const [running, orphan] = await waitFor(`both Running\n${agent.output()}`, async () => {
        const pods = await Promise.all(['on-agent-3', 'orphan'].map((n) => cluster.client.get<Pod>(gvr.pods, 'default', n)));
        return pods.every((p) => p.status?.phase === 'Running') && pods;
      }, 60_000);
      expect(running.status!.podIP).toMatch(/^10\.42\./);
      const runcList = () => JSON.parse(execFileSync('runc', ['--root', runtimeRoot, 'list', '--format', 'json'], { encoding: 'utf8' })) as { id: string; status: string; pid: number }[] | null;
      const before = (runcList() ?? []).find((c) => c.id.startsWith(running.metadata!.uid!))!;
      expect(before.status).toBe('running');
      // The agent killed and started again: it adopts the running container, restarts nothing;
      // the pod deleted while it was away is stopped and removed from the node.
      agent.proc.kill('SIGKILL');
      await new Promise((r) => agent.proc.once('exit', r));
      await kubectl.ok(['delete', 'pod', 'orphan', '--grace-period=0', '--force']);
      const again = startAgent('agent-3', ['--cni-netns', netns, '--runtime-root', runtimeRoot, '--cgroup-parent', cgroupParent]);
      await waitFor(`agent-3 back\n${again.output()}`, () => again.output().includes('is up'));
      await waitFor(`the orphan removed\n${again.output()}`, () => (runcList() ?? []).length === 1, 20_000);
      expect(runcList()).toEqual([before]);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(orphan.metadata!.uid!);
      expect(again.output()).toContain(`removing orphaned pod ${orphan.metadata!.uid}`);
      const adopted = await cluster.client.get<Pod>(gvr.pods, 'default', 'on-agent-3');
      expect(adopted.status!.phase).toBe('Running');
      expect(adopted.status!.containerStatuses![0]).toMatchObject({ restartCount: 0, containerID: `runc://${before.id}`, ready: true });
      // `sleep` as pid 1 ignores SIGTERM: the grace period ends with SIGKILL.
      await kubectl.ok(['delete', 'pod', 'on-agent-3', '--wait=true', '--timeout=60s']);
      expect(runcList() ?? []).toEqual([]);
      expect(await stopAgent(again.proc)).toBe(0);
    } finally {
      execFileSync('ip', ['netns', 'delete', netns]);
      // The agent's cgroup parent, and /kubelab when no other agent uses it.
      for (const ctrl of readdirSync('/sys/fs/cgroup')) {
        for (const d of [cgroupParent, '/kubelab']) {
          try {
            rmdirSync(join('/sys/fs/cgroup', ctrl, d));
          } catch { /* absent, or in use */ }
        }
      }
      await registry.stop();
      removeRoutes();
    }
  });

  it('refuses bad flags with one line and exit code 2', () => {
    const bad = spawnSync(process.execPath, [CLI, 'agent', '--kubeconfig', cluster.kubeconfigPath, '--runtime', 'docker'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('kubelab: --runtime must be runc or crun, not "docker"');
    const noConfig = spawnSync(process.execPath, [CLI, 'agent'], { encoding: 'utf8' });
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr.trim()).toBe('kubelab: agent needs --kubeconfig FILE, or --server URL and a join token (--token or --token-file)');
    const badPort = spawnSync(process.execPath, [CLI, 'agent', '--kubeconfig', cluster.kubeconfigPath, '--port', 'http'], { encoding: 'utf8' });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr.trim()).toBe('kubelab: --port must be a port number (0 for any free one), not "http"');
    const badLogs = spawnSync(process.execPath, [CLI, 'agent', '--kubeconfig', cluster.kubeconfigPath, '--container-log-max-files', '1'], { encoding: 'utf8' });
    expect([badLogs.status, badLogs.stderr.trim()]).toEqual([2, 'kubelab: --container-log-max-files must be a whole number of at least 2, not "1"']);
  });
});
