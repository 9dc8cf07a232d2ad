// Fill the store to 100,000 objects, read the server's memory (idle and after full LISTs), then
// stop it with SIGTERM and time a restart on the same folder: to the ready line and to the first
// LIST that answers. Finally check that nothing was lost across the restart.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchHttp } from './http.ts';
import { runClosedLoop } from './load.ts';
import { configMapBody, namespaceBody } from './objects.ts';
import { API_ONLY, ServerProcess, type Started } from './server-process.ts';
import type { Results } from './table.ts';

export interface FillOptions {
  results: Results;
  /** The running server; replaced by the restarted one (so the caller can always stop it). */
  live: { server?: Started };
  dataDir: string;
  namespace: string;
  /** Objects the bench stored before this phase. */
  already: number;
  total: number;
  clients: number;
  /** A collection with a known count, to verify after the restart. */
  podsPath: string;
  pods: number;
}

const PAYLOAD_BYTES = 800; // with metadata and managedFields the stored ConfigMap is ~1 KiB

export async function fillAndRestart(o: FillOptions): Promise<void> {
  const { results } = o;
  let server = o.live.server!;
  let http = new BenchHttp(server, o.clients);
  try {
    await http.expectOk('POST', '/api/v1/namespaces', namespaceBody(o.namespace));
    const count = o.total - o.already;
    const fill = await runClosedLoop(count, o.clients, async (i) => {
      await http.expectOk('POST', `/api/v1/namespaces/${o.namespace}/configmaps`, configMapBody(`fill-${i}`, i, PAYLOAD_BYTES));
    });
    results.add(`fill: ${count} ConfigMaps of ~1 KiB`, fill.perSecond, '/s');
    await settle();
    results.add(`server RSS at ${o.total} objects, idle`, server.proc.rssMiB(), 'MiB', { kind: 'max', value: 300 });

    await http.expectOk('GET', o.podsPath);
    const t0 = performance.now();
    const all = await http.expectOk('GET', '/api/v1/configmaps');
    const listMs = performance.now() - t0;
    const n = (JSON.parse(all.body.toString('utf8')) as { items: unknown[] }).items.length;
    results.add(`LIST all ConfigMaps (${n} objects, ${(all.body.length / 2 ** 20).toFixed(0)} MiB JSON)`, listMs, 'ms');
    await settle();
    results.add(`server RSS at ${o.total} objects, after full LISTs`, server.proc.rssMiB(), 'MiB', { kind: 'max', value: 300 });
    results.add('data folder size on disk', folderBytes(o.dataDir) / 2 ** 20, 'MiB');

    http.close();
    results.add('stop (SIGTERM to exit)', await server.proc.stop(), 'ms');
    o.live.server = undefined;

    const restartTarget = { kind: 'max', value: 3000 } as const;
    try {
      server = await ServerProcess.start(o.dataDir, undefined, API_ONLY);
    } catch (e) {
      results.add(`restart at ${o.total} objects: spawn to ready line`, Number.NaN, 'ms', restartTarget);
      throw e;
    }
    o.live.server = server;
    results.add(`restart at ${o.total} objects: spawn to ready line`, server.readyMs, 'ms', restartTarget);
    http = new BenchHttp(server, o.clients);
    const firstList = await untilListAnswers(http, o.podsPath);
    results.add(`restart at ${o.total} objects: spawn to first LIST`, firstList - server.proc.spawnedAt, 'ms', restartTarget);
    results.add('server RSS after restart', server.proc.rssMiB(), 'MiB');

    const items = (JSON.parse((await http.expectOk('GET', o.podsPath)).body.toString('utf8')) as { items: unknown[] }).items.length;
    results.add(`pods present after restart (of ${o.pods})`, items, 'objects', { kind: 'min', value: o.pods });
  } finally {
    http.close();
  }
}

/** The first LIST (kubectl's page size) that answers 200; returns the performance.now() of its answer. */
async function untilListAnswers(http: BenchHttp, path: string): Promise<number> {
  for (const deadline = performance.now() + 60_000; performance.now() < deadline; ) {
    try {
      const a = await http.request('GET', `${path}?limit=500`);
      if (a.status === 200) return performance.now();
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no LIST answered within 60 s of the restart');
}

/** A pause so that RSS reflects the steady state, not garbage the last burst left for the GC. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 2000));
}

function folderBytes(dir: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    sum += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return sum;
}
