// The 'scheduler' area: issue 3's benchmark. A real `kubelab serve` child (API server,
// controllers, scheduler) and, in this process, a fleet of 1,000 hollow nodes (as kwok runs
// beside a real control plane). 100 Deployments × 100 replicas are created through the API and
// followed through a pods watch until all 10,000 pods are Running.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { gvr } from '../../src-main/client/resources.ts';
import type { WatchHandle } from '../../src-main/client/types.ts';
import { HollowFleet, simulatedNodes } from '../../src-main/hollow/fleet.ts';
import { ServerProcess, type Started } from './server-process.ts';
import { percentile } from './stats.ts';
import { Results } from './table.ts';

const NODES = Number(process.env.KUBELAB_BENCH_NODES ?? 1000);
const DEPLOYMENTS = Number(process.env.KUBELAB_BENCH_DEPLOYMENTS ?? 100);
const REPLICAS = Number(process.env.KUBELAB_BENCH_REPLICAS ?? 100);
const NS = 'bench';
const TIMEOUT_MS = 300_000;

interface PodTimes {
  seen: number;
  bound?: number;
  running?: number;
}

function deployment(i: number) {
  const app = `app-${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: NS },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'main', image: 'registry.local/web:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  };
}

/**
 * Scheduling throughput the way scheduler_perf's throughputCollector measures it: the number of
 * bound pods sampled every second, from the first second in which a pod was bound (that first,
 * partial sample is skipped) until all are bound; each sample is pods bound since the last one
 * per second of time between them.
 */
class ThroughputSampler {
  readonly samples: number[] = [];
  private last?: { count: number; at: number };
  private readonly timer: NodeJS.Timeout;

  constructor(bound: () => number, total: number) {
    this.timer = setInterval(() => {
      const count = bound();
      const at = performance.now();
      if (count === 0) return;
      if (this.last) this.samples.push((count - this.last.count) / ((at - this.last.at) / 1000));
      this.last = { count, at };
      if (count >= total) this.stop();
    }, 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Follows every pod of the namespace; tells `counts` as each is first seen bound and Running. */
function followPods(client: KubeClient, times: Map<string, PodTimes>, counts: { bound: number; running: number; onRunning(): void }): WatchHandle {
  return client.watch<Pod>(gvr.pods, { namespace: NS, resourceVersion: '' }, (e) => {
    if (e.type === 'ERROR' || e.type === 'BOOKMARK' || e.type === 'DELETED') return;
    const pod = e.object;
    const now = performance.now();
    const name = pod.metadata!.name!;
    let t = times.get(name);
    if (!t) times.set(name, (t = { seen: now }));
    if (pod.spec?.nodeName && t.bound === undefined) {
      t.bound = now;
      counts.bound++;
    }
    if (pod.status?.phase === 'Running' && t.running === undefined) {
      t.running = now;
      counts.running++;
      counts.onRunning();
    }
  }, (err) => {
    if (err) process.stderr.write(`bench: pods watch ended: ${err.message}\n`);
  });
}

export async function benchScheduler(results: Results): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'kubelab-bench-sched-'));
  const live: { server?: Started; fleet?: HollowFleet; watch?: WatchHandle; client?: KubeClient } = {};
  const stopAll = async (): Promise<void> => {
    live.watch?.stop();
    await live.fleet?.stop();
    live.client?.close();
    await live.server?.proc.stop();
    rmSync(temp, { recursive: true, force: true });
  };
  const onSignal = (): void => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    const server = await ServerProcess.start(join(temp, 'data'));
    live.server = server;
    const client = new KubeClient({ server: server.url, token: server.token, ca: server.ca });
    live.client = client;
    const joinStart = performance.now();
    const fleet = new HollowFleet({ client, nodes: simulatedNodes(NODES), log: () => undefined });
    live.fleet = fleet;
    await fleet.start();
    results.add(`${NODES} hollow nodes registered`, (performance.now() - joinStart) / 1000, 's');
    results.add('control-plane RSS with the nodes, no pods (API + controllers)', server.proc.treeRssMiB(), 'MiB');
    await client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });

    const total = DEPLOYMENTS * REPLICAS;
    const times = new Map<string, PodTimes>();
    let allRunning!: () => void;
    const done = new Promise<void>((r) => (allRunning = r));
    // Counted as events arrive: a recount per event would cost this process (which shares the
    // two cores with the control plane) O(pods²).
    const counts = { bound: 0, running: 0, onRunning: () => counts.running >= total && allRunning() };
    live.watch = followPods(client, times, counts);
    let peakRss = 0;
    let peakApiRss = 0;
    const sample = (): void => {
      peakRss = Math.max(peakRss, server.proc.treeRssMiB());
      peakApiRss = Math.max(peakApiRss, server.proc.rssMiB());
    };
    const sampler = setInterval(sample, 250);
    const throughput = new ThroughputSampler(() => counts.bound, total);
    const cpuBefore = server.proc.cpuMs();
    const treeCpuBefore = server.proc.treeCpuMs();
    const benchCpuBefore = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < DEPLOYMENTS; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, DEPLOYMENTS - i) }, (_, j) => client.create(gvr.deployments, deployment(i + j))));
    }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), TIMEOUT_MS).unref());
    const outcome = await Promise.race([done.then(() => 'ok' as const), timeout]);
    const tEnd = performance.now();
    clearInterval(sampler);
    throughput.stop();
    sample();
    if (outcome === 'timeout') process.stderr.write(`bench: only ${counts.running}/${total} pods Running after ${TIMEOUT_MS / 1000} s\n`);

    const all = [...times.values()];
    const bound = all.filter((t) => t.bound !== undefined);
    const lastBound = Math.max(...bound.map((t) => t.bound!));
    const seconds = (tEnd - t0) / 1000;
    results.add(`pods Running, of ${total}`, counts.running, 'pods', { kind: 'min', value: total });
    const samples = throughput.samples;
    results.add('pods scheduled per second through the API, scheduler_perf method: average', samples.reduce((a, b) => a + b, 0) / samples.length, '/s', { kind: 'min', value: 500 });
    results.add('pods scheduled per second, scheduler_perf method: p50 of the 1 s samples', percentile(samples, 50), '/s');
    results.add('pods scheduled per second, scheduler_perf method: p90 of the 1 s samples', percentile(samples, 90), '/s');
    results.add('pods scheduled per second, create of the first Deployment to the last bind', bound.length / ((lastBound - t0) / 1000), '/s');
    results.add('pods Running per second, create of the first Deployment to the last Running', counts.running / seconds, '/s');
    results.add(`time until all ${total} pods Running`, seconds, 's', { kind: 'max', value: 60 });
    const latencies = bound.map((t) => t.bound! - t.seen);
    results.add('scheduling latency (pod seen → bound): p50', percentile(latencies, 50), 'ms');
    results.add('scheduling latency (pod seen → bound): p99', percentile(latencies, 99), 'ms');
    results.add('control-plane RSS, peak (API + controllers)', peakRss, 'MiB', { kind: 'max', value: 1024 });
    results.add('API server process RSS, peak', peakApiRss, 'MiB');
    const apiCpu = (server.proc.cpuMs() - cpuBefore) / 1000;
    results.add('CPU during the run: API server', apiCpu, 's');
    results.add('CPU during the run: controllers and scheduler', (server.proc.treeCpuMs() - treeCpuBefore) / 1000 - apiCpu, 's');
    const benchCpu = process.cpuUsage(benchCpuBefore);
    results.add('CPU during the run: hollow nodes and this bench', (benchCpu.user + benchCpu.system) / 1e6, 's');
  } finally {
    process.off('SIGINT', onSignal);
    await stopAll();
  }
}
