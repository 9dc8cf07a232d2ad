// The 'api' area: what the foundation issue's benchmark asks of the API server and its store,
// against a real `kubelab serve --no-controllers` child on a fresh data folder: the API alone,
// as kube-apiserver is measured. (With the controllers, every pod created here would also be
// scheduled — on a cluster without nodes, a FailedScheduling status and event per pod.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchHttp } from './http.ts';
import { runClosedLoop, type LoadResult } from './load.ts';
import { configMapBody, namespaceBody, podBody } from './objects.ts';
import { fillAndRestart } from './restart.ts';
import { API_ONLY, ServerProcess, type Started } from './server-process.ts';
import { median, percentile } from './stats.ts';
import { Results } from './table.ts';
import { watchFanout } from './watch-fanout.ts';

const CLIENTS = 32;
const CREATES = 10_000;
const GETS = 10_000;
const LIST_RUNS = 5;
const WATCHERS = 100;
const FANOUT_OBJECTS = 1_000;
const TOTAL_OBJECTS = 100_000;
const NS = 'bench';

export async function benchApi(results: Results): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), 'kubelab-bench-'));
  const dataDir = join(temp, 'data');
  const live: { server?: Started } = {};
  const stopAll = async () => {
    await live.server?.proc.stop();
    rmSync(temp, { recursive: true, force: true });
  };
  // Ctrl-C during a ten-minute run must not leave a server or 100 MB of data behind.
  const onSignal = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    const server = await ServerProcess.start(dataDir, undefined, API_ONLY);
    live.server = server;
    results.add('first start, new data folder (spawn to ready)', server.readyMs, 'ms');
    results.add('server RSS, empty cluster', server.proc.rssMiB(), 'MiB');
    const http = new BenchHttp(server, CLIENTS);
    await http.expectOk('POST', '/api/v1/namespaces', namespaceBody(NS));
    await http.expectOk('POST', '/api/v1/namespaces', namespaceBody(`${NS}-watch`));

    const base = `/api/v1/namespaces/${NS}`;
    const cm = await measured(server, () => runClosedLoop(CREATES, CLIENTS, async (i) => {
      await http.expectOk('POST', `${base}/configmaps`, configMapBody(`cm-${i}`, i));
    }));
    reportWrites(results, 'create ConfigMap', cm);
    const pods = await measured(server, () => runClosedLoop(CREATES, CLIENTS, async (i) => {
      await http.expectOk('POST', `${base}/pods`, podBody(`pod-${i}`, i));
    }));
    reportWrites(results, 'create Pod', pods);

    const gets = await runClosedLoop(GETS, CLIENTS, async (i) => {
      // a stride through the names so consecutive gets do not hit the same object
      await http.expectOk('GET', `${base}/pods/pod-${(i * 7919) % CREATES}`);
    });
    results.add('get Pod: throughput', gets.perSecond, '/s');
    results.add('get Pod: p50', percentile(gets.latencies, 50), 'ms');
    results.add('get Pod: p99', percentile(gets.latencies, 99), 'ms');

    const listMs: number[] = [];
    let listBytes = 0;
    const listCpu0 = server.proc.cpuMs();
    for (let run = 0; run < LIST_RUNS; run++) {
      const t0 = performance.now();
      const a = await http.expectOk('GET', `${base}/pods`);
      listMs.push(performance.now() - t0);
      listBytes = a.body.length;
      const items = (JSON.parse(a.body.toString('utf8')) as { items: unknown[] }).items.length;
      if (items !== CREATES) throw new Error(`LIST pods returned ${items} items, expected ${CREATES}`);
    }
    const listCpuMs = (server.proc.cpuMs() - listCpu0) / LIST_RUNS;
    results.add(`LIST ${CREATES} pods (JSON, median of ${LIST_RUNS})`, median(listMs), 'ms', { kind: 'max', value: 300 });
    results.add(`LIST ${CREATES} pods: server CPU per LIST`, listCpuMs, 'ms');
    results.add(`LIST ${CREATES} pods: response size`, listBytes / 2 ** 20, 'MiB');

    const fanCpu0 = server.proc.cpuMs();
    const fan = await watchFanout(http, server, `${NS}-watch`, WATCHERS, FANOUT_OBJECTS, CLIENTS);
    const fanCpuMs = server.proc.cpuMs() - fanCpu0;
    results.add(`watch ${WATCHERS}x: events lost (of ${fan.events} each)`, fan.lost, 'events', { kind: 'max', value: 0 });
    results.add(`watch ${WATCHERS}x: delivery p50 (write sent to seen)`, percentile(fan.deliveries, 50), 'ms');
    results.add(`watch ${WATCHERS}x: delivery p99`, percentile(fan.deliveries, 99), 'ms');
    results.add(`watch ${WATCHERS}x: all saw all ${fan.events} events after`, fan.allSeenMs, 'ms');
    results.add(`watch ${WATCHERS}x: creates/s while watched`, fan.creates.perSecond, '/s');
    results.add(`watch ${WATCHERS}x: merge-patch updates/s while watched`, fan.updates.perSecond, '/s');
    results.add(`watch ${WATCHERS}x: server CPU per write (x${WATCHERS} events)`, fanCpuMs / fan.events, 'ms');

    const stored = CREATES * 2 + FANOUT_OBJECTS;
    http.close();
    await fillAndRestart({ results, live, dataDir, namespace: `${NS}-fill`, already: stored, total: TOTAL_OBJECTS, clients: CLIENTS, podsPath: `${base}/pods`, pods: CREATES });
  } finally {
    process.off('SIGINT', onSignal);
    await stopAll();
  }
}

interface Measured {
  load: LoadResult;
  /** CPU time the server used during the run, ms. */
  cpuMs: number;
  /** CPU time this process (the load generator) used, ms: it shares the machine's two cores. */
  clientCpuMs: number;
  /** Time the server's main thread was ready to run but had no core, ms. */
  waitMs: number;
}

async function measured(server: Started, run: () => Promise<LoadResult>): Promise<Measured> {
  const cpu0 = server.proc.cpuMs();
  const sched0 = server.proc.schedstat();
  const client0 = process.cpuUsage();
  const load = await run();
  const client = process.cpuUsage(client0);
  const waitMs = (server.proc.schedstat().waitNs - sched0.waitNs) / 1e6;
  return { load, cpuMs: server.proc.cpuMs() - cpu0, clientCpuMs: (client.user + client.system) / 1000, waitMs };
}

function reportWrites(results: Results, what: string, m: Measured): void {
  const { load } = m;
  results.add(`${what}: ${load.count} with ${CLIENTS} clients`, load.perSecond, '/s', { kind: 'min', value: 2000 });
  results.add(`${what}: p50`, percentile(load.latencies, 50), 'ms');
  results.add(`${what}: p99`, percentile(load.latencies, 99), 'ms', { kind: 'max', value: 50 });
  results.add(`${what}: server CPU per create`, m.cpuMs / load.count, 'ms');
  results.add(`${what}: server CPU busy`, (m.cpuMs / load.wallMs) * 100, '% of 1 core');
  // On a busy machine the server queues for a core; these two rows tell that apart from slowness.
  results.add(`${what}: server main thread waiting for a core`, (m.waitMs / load.wallMs) * 100, '% of time');
  results.add(`${what}: ceiling if server CPU were the only limit`, 1000 / (m.cpuMs / load.count), '/s');
  results.add(`${what}: load generator CPU per create`, m.clientCpuMs / load.count, 'ms');
}
