// The 'agent' area: issue 4's benchmark. A control plane in this process, the agent as a worker
// runs it (the one-file bundle, in its own process, CNI network in a test netns), the busybox
// image in a local registry and already pulled. Measures pod startup (create → Running and
// Ready, through the API) for 50 pods one after another and for 50 at once, the agent's RSS with
// 50 pods, and 1,000 create/delete cycles with what they leave behind.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../src-main/client/kube-client.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../src-main/agent/node-flags.ts';
import { OciRuntime } from '../../src-main/agent/runtime/oci-runtime.ts';
import { mountsUnder } from '../../src-main/agent/volumes/pod-volumes.ts';
import { buildBusyboxImage, pushImage } from '../fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../fixtures/images/test-registry.ts';
import { addBlackholeRoutes } from '../integration/harness/blackhole.ts';
import { startTestCluster, waitFor, type TestCluster } from '../integration/harness/cluster.ts';
import { percentile } from './stats.ts';
import { REPO_ROOT } from './server-process.ts';
import { Results } from './table.ts';

const PODS = Number(process.env.KUBELAB_BENCH_AGENT_PODS ?? 50);
const CYCLES = Number(process.env.KUBELAB_BENCH_AGENT_CYCLES ?? 1000);
/** Pods created and deleted together in one round of the cycles. */
const CYCLE_BATCH = 10;
const NS = 'default';
const NODE = 'bench-agent';

const forever = 'trap "exit 0" TERM; while true; do sleep 1; done';
const podSpec = (name: string, image: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image, command: ['sh', '-c', forever] }] },
});
const isReady = (p: Pod) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Creates the pods and resolves with each one's create → Ready time (ms), seen on a watch. */
async function startPods(client: KubeClient, names: string[], image: string, parallel: boolean): Promise<number[]> {
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  let wake = (): void => undefined;
  const watch = client.watch<Pod>(gvr.pods, { namespace: NS, resourceVersion: '' }, (e) => {
    if (e.type === 'ERROR' || e.type === 'BOOKMARK') return;
    const name = e.object.metadata!.name!;
    if (created.has(name) && !ready.has(name) && isReady(e.object)) {
      ready.set(name, performance.now() - created.get(name)!);
      wake();
    }
  }, () => undefined);
  const untilReady = (want: (n: number) => boolean) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pods not Ready after 120 s (${ready.size} of ${names.length})`)), 120_000);
    wake = () => {
      if (want(ready.size)) {
        clearTimeout(timer);
        resolve();
      }
    };
    wake();
  });
  try {
    const create = async (name: string) => {
      created.set(name, performance.now());
      await client.create(gvr.pods, podSpec(name, image), { namespace: NS });
    };
    if (parallel) {
      await Promise.all(names.map(create));
      await untilReady((n) => n >= names.length);
    } else {
      for (const [i, name] of names.entries()) {
        await create(name);
        await untilReady((n) => n > i);
      }
    }
  } finally {
    watch.stop();
  }
  return names.map((n) => ready.get(n)!);
}

async function deletePods(client: KubeClient, names: string[]): Promise<void> {
  await Promise.all(names.map((n) => client.delete(gvr.pods, NS, n)));
  await waitFor('the pods deleted', async () => (await client.list<Pod>(gvr.pods, { namespace: NS })).items.every((p) => !names.includes(p.metadata!.name!)), 120_000, 100);
}

interface Leaks {
  containers: number;
  bundles: number;
  mounts: number;
  netns: number;
  cgroups: number;
  ips: number;
  podDirs: number;
  logDirs: number;
}

function countLeaks(state: string, runtime: string[], cgroupParentDirs: string[]): Leaks {
  const entries = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  const ipamDir = join(state, 'cni', 'ipam', 'kubelab');
  return {
    containers: runtime.length,
    bundles: entries(join(state, 'containers')).length,
    mounts: mountsUnder(state).length,
    netns: entries('/run/netns').filter((n) => n.startsWith('kubelab-')).length,
    cgroups: cgroupParentDirs.flatMap((d) => entries(d).filter((c) => c.startsWith('pod'))).length,
    // host-local keeps one file per allocated address (plus its lock and last-reserved files).
    ips: entries(ipamDir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).length,
    podDirs: entries(join(state, 'pods')).length,
    logDirs: entries(join(state, 'logs')).length,
  };
}

export async function benchAgent(results: Results): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'kubelab-bench-agent-'));
  const state = join(temp, 'state');
  const hostNetns = `klbench-${process.pid}`;
  const cgroupParent = `/kubelab/${NODE}-${process.pid}`;
  const live: { cluster?: TestCluster; registry?: TestRegistry; agent?: ChildProcess; removeRoutes?: () => void } = {};
  const runtime = new OciRuntime({ name: 'runc', root: join(temp, 'runc') });
  try {
    live.removeRoutes = addBlackholeRoutes();
    execFileSync('ip', ['netns', 'add', hostNetns]);
    const registry = (live.registry = await startTestRegistry());
    await pushImage({ url: registry.url }, 'test/busybox', '1', buildBusyboxImage());
    const image = `${registry.host}/test/busybox:1`;
    const cluster = (live.cluster = await startTestCluster());
    const client = cluster.client;
    const bundle = join(temp, 'kubelab-agent.js');
    execFileSync(process.execPath, [join(REPO_ROOT, 'src-main/bin/agent-bundle.js'), bundle]);
    // The agent runs as it is installed: with its Node.js flags and environment (KUBELAB_BENCH_AGENT_NODE_FLAGS to try other flags).
    const nodeFlags = process.env.KUBELAB_BENCH_AGENT_NODE_FLAGS?.split(' ').filter(Boolean) ?? AGENT_NODE_FLAGS;
    const agent = (live.agent = spawn(process.execPath, [...nodeFlags, bundle, '--kubeconfig', cluster.kubeconfigPath, '--node-name', NODE, '--state-dir', state, '--node-ip', '127.0.0.1',
      '--runtime-root', join(temp, 'runc'), '--cgroup-parent', cgroupParent, '--cni-netns', hostNetns], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...AGENT_ENV } }));
    let agentLog = '';
    agent.stderr!.on('data', (d: Buffer) => (agentLog = (agentLog + d.toString()).slice(-4000)));
    await waitFor(`the agent's node Ready\n${agentLog}`, async () => {
      const node = await client.get<Node>(gvr.nodes, undefined, NODE).catch(() => undefined);
      return node?.spec?.podCIDR && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 60_000);
    results.add('agent RSS, idle', rssMiB(agent.pid!), 'MiB');

    // One pod first, so the image is pulled and cached before anything is timed.
    await startPods(client, ['warm-up'], image, false);
    await deletePods(client, ['warm-up']);

    const sequential = Array.from({ length: PODS }, (_, i) => `seq-${i}`);
    const seq = await startPods(client, sequential, image, false);
    results.add(`pod startup p50, ${PODS} pods one after another (create → Ready)`, percentile(seq, 50), 'ms', { kind: 'max', value: 300 });
    results.add(`pod startup p99, ${PODS} pods one after another`, percentile(seq, 99), 'ms', { kind: 'max', value: 1000 });
    results.add(`agent RSS with ${PODS} pods`, rssMiB(agent.pid!), 'MiB', { kind: 'max', value: 80 });
    await deletePods(client, sequential);

    const batch = Array.from({ length: PODS }, (_, i) => `batch-${i}`);
    const all = await startPods(client, batch, image, true);
    results.add(`pod startup p50, ${PODS} pods created at once`, percentile(all, 50), 'ms');
    results.add(`pod startup p99, ${PODS} pods created at once`, percentile(all, 99), 'ms');
    results.add(`agent RSS with ${PODS} pods (after the batch)`, rssMiB(agent.pid!), 'MiB', { kind: 'max', value: 80 });
    await deletePods(client, batch);

    const cgroupDirs = [...new Set(['/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'].map((d) => join(d, cgroupParent)))];
    const rssBefore = rssMiB(agent.pid!);
    const t0 = performance.now();
    for (let round = 0; round < CYCLES / CYCLE_BATCH; round++) {
      const names = Array.from({ length: CYCLE_BATCH }, (_, i) => `cycle-${round}-${i}`);
      await startPods(client, names, image, true);
      await deletePods(client, names);
    }
    results.add(`${CYCLES} pod create/delete cycles (${CYCLE_BATCH} at a time)`, (performance.now() - t0) / 1000, 's');
    const leaks = await waitFor('the node clean', async () => {
      const l = countLeaks(state, (await runtime.list()).map((c) => c.id), cgroupDirs);
      return Object.values(l).every((v) => v === 0) ? l : undefined;
    }, 30_000).catch(async () => countLeaks(state, (await runtime.list()).map((c) => c.id), cgroupDirs));
    for (const [what, count] of Object.entries(leaks)) results.add(`left after the cycles: ${what}`, count, '', { kind: 'max', value: 0 });
    results.add('agent RSS growth over the cycles', rssMiB(agent.pid!) - rssBefore, 'MiB');
  } finally {
    if (live.agent && live.agent.exitCode === null) {
      const exited = new Promise((r) => live.agent!.once('exit', r));
      live.agent.kill('SIGTERM');
      await exited;
    }
    for (const c of await runtime.list().catch(() => [])) await runtime.delete(c.id, true).catch(() => undefined);
    await live.cluster?.stop();
    await live.registry?.stop();
    for (const n of readdirSync('/run/netns').filter((x) => x === hostNetns)) execFileSync('ip', ['netns', 'delete', n]);
    for (const d of ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/cpuset', '/sys/fs/cgroup']) {
      try {
        rmdirSync(join(d, cgroupParent));
      } catch { /* not there */ }
    }
    live.removeRoutes?.();
    rmSync(temp, { recursive: true, force: true });
  }
}
