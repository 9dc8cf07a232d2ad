// Watch fan-out: many watchers on one collection, then a burst of creates and updates. Every
// watcher must see every event (none lost); the latency of a delivery is from the moment the
// write was sent to the moment that watcher parsed the event, so it includes the durable commit.
import type { ClientRequest } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { BenchHttp, Endpoint } from './http.ts';
import { runClosedLoop, type LoadResult } from './load.ts';
import { podBody } from './objects.ts';

export interface FanoutResult {
  watchers: number;
  events: number;
  creates: LoadResult;
  updates: LoadResult;
  /** Every delivery's latency, ms (watchers x events values when nothing was lost). */
  deliveries: number[];
  /** From the first write sent to the last watcher having seen the last event. */
  allSeenMs: number;
  lost: number;
}

interface Watcher {
  seen: Set<string>;
  req: ClientRequest;
}

export async function watchFanout(http: BenchHttp, ep: Endpoint, namespace: string, watchers: number, objects: number, concurrency: number): Promise<FanoutResult> {
  const base = `/api/v1/namespaces/${namespace}/pods`;
  // Watch from the list's revision: a watcher whose stream opens late still gets every event.
  const list = JSON.parse((await http.expectOk('GET', `${base}?limit=1`)).body.toString('utf8')) as { metadata: { resourceVersion: string } };
  const rv = list.metadata.resourceVersion;
  const sentAt = new Map<string, number>();
  const deliveries: number[] = [];
  const expected = objects * 2;
  let done!: () => void;
  const allDone = new Promise<void>((r) => (done = r));
  let complete = 0;
  let completedAt = Number.NaN;
  const agent = new https.Agent({ keepAlive: false, maxSockets: Infinity, ca: ep.ca });
  const u = new URL(ep.url);

  const open = (): Promise<Watcher> =>
    new Promise((resolve, reject) => {
      const w: Watcher = { seen: new Set(), req: undefined as unknown as ClientRequest };
      w.req = https.request({
        host: u.hostname, port: Number(u.port), agent, method: 'GET',
        path: `${base}?watch=1&resourceVersion=${rv}&timeoutSeconds=600`,
        headers: { Authorization: `Bearer ${ep.token}`, Accept: 'application/json' },
      });
      w.req.on('error', (e) => reject(e));
      w.req.on('response', (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch answered ${res.statusCode}`));
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          const lines = (partial + chunk).split('\n');
          partial = lines.pop()!;
          for (const line of lines) {
            if (!line) continue;
            const key = eventKey(line);
            const t0 = sentAt.get(key);
            if (t0 === undefined || w.seen.has(key)) continue; // not one of ours, or a duplicate
            w.seen.add(key);
            deliveries.push(now - t0);
            if (w.seen.size === expected && ++complete === watchers) {
              completedAt = now;
              done();
            }
          }
        });
        res.on('error', () => undefined); // judged by what was seen
        resolve(w);
      });
      w.req.end();
    });

  const opened = await Promise.all(Array.from({ length: watchers }, open));
  const start = performance.now();
  const creates = await runClosedLoop(objects, concurrency, async (i) => {
    const name = `fan-${i}`;
    sentAt.set(`c/${name}`, performance.now());
    await http.expectOk('POST', base, podBody(name, i));
  });
  const updates = await runClosedLoop(objects, concurrency, async (i) => {
    const name = `fan-${i}`;
    sentAt.set(`u/${name}`, performance.now());
    await http.expectOk('PATCH', `${base}/${name}`, JSON.stringify({ metadata: { annotations: { 'bench/generation': '2' } } }), 'application/merge-patch+json');
  });
  const timedOut = await Promise.race([allDone.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 60_000).unref())]);
  const allSeenMs = timedOut ? Number.NaN : completedAt - start;
  let lost = 0;
  for (const w of opened) {
    lost += expected - w.seen.size;
    w.req.destroy();
  }
  agent.destroy();
  return { watchers, events: expected, creates, updates, deliveries, allSeenMs, lost };
}

/**
 * "c/<name>" for ADDED, "u/<name>" otherwise. The type and metadata.name lead every line the
 * server writes, so a look at the line's head keeps the 100 parsing streams from making the load
 * generator the bottleneck; anything else gets a full parse.
 */
function eventKey(line: string): string {
  const m = /^\{"type":"(\w+)","object":\{[^{]*"metadata":\{(?:"resourceVersion":"\d+",)?"name":"([^"]+)"/.exec(line);
  if (m) return `${m[1] === 'ADDED' ? 'c' : 'u'}/${m[2]}`;
  const ev = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
  return `${ev.type === 'ADDED' ? 'c' : 'u'}/${ev.object.metadata.name}`;
}
