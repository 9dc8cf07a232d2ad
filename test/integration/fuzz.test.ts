// A few thousand malformed requests against a real server: every answer must be a 4xx (never a
// 5xx, never a hang, never a crash), the server must still answer afterwards, and nothing may
// have been written. Cases are built from a fixed seed (harness/fuzz-cases.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeList } from '../../src-main/client/types.ts';
import { buildFuzzCases, RAW_HTTP_CASES, type FuzzCase } from './harness/fuzz-cases.ts';
import { RawHttp } from './harness/http.ts';
import { KubelabServer } from './harness/server.ts';

const CASES = 3000;
const CONCURRENCY = 12;

const WATCHED = [
  { group: '', version: 'v1', resource: 'configmaps' },
  { group: '', version: 'v1', resource: 'namespaces' },
  { group: '', version: 'v1', resource: 'pods' },
  { group: '', version: 'v1', resource: 'services' },
  { group: '', version: 'v1', resource: 'secrets' },
  { group: 'apps', version: 'v1', resource: 'deployments' },
];

describe('fuzz: malformed requests', () => {
  let server: KubelabServer;
  let http: RawHttp;

  /** Every object of the watched resources with its resourceVersion, plus each list's version. */
  async function snapshot(): Promise<{ objects: string[]; listVersions: string[] }> {
    const objects: string[] = [];
    const listVersions: string[] = [];
    for (const gvr of WATCHED) {
      const list: KubeList = await server.client.list(gvr);
      listVersions.push(`${gvr.resource}@${list.metadata.resourceVersion}`);
      for (const o of list.items) objects.push(`${gvr.resource} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    }
    return { objects: objects.sort(), listVersions };
  }

  beforeAll(async () => {
    server = await KubelabServer.start();
    http = new RawHttp(server.url, server.kubeconfigText, CONCURRENCY);
    // the objects the update/patch/delete cases aim at
    await server.client.create({ group: '', version: 'v1', resource: 'configmaps' },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-target', namespace: 'default' }, data: { k: 'v' } } as object);
    await server.client.create({ group: 'apps', version: 'v1', resource: 'deployments' }, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fuzz-deploy', namespace: 'default' },
      // no replicas: the controllers write its ReplicaSet and status once, then leave it alone
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'f' } },
        template: { metadata: { labels: { app: 'f' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    } as object);
    // The controllers run beside the API: let them finish with the new objects first, so that
    // "nothing changed" below measures the fuzzing only.
    let last = '';
    for (let i = 0; i < 30; i++) {
      const now = JSON.stringify(await snapshot());
      if (now === last) break;
      last = now;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 90_000);

  afterAll(async () => {
    http?.close();
    await server?.stop();
  });

  it(`${CASES} malformed requests get only 4xx answers and write nothing`, async () => {
    const before = await snapshot();
    const cases = buildFuzzCases(CASES);
    /** Distinct failures ("status method path [label]") with how often and one answer body. */
    const bad = new Map<string, { count: number; sample: string }>();
    const fail = (key: string, sample: string): void => {
      const prev = bad.get(key);
      bad.set(key, { count: (prev?.count ?? 0) + 1, sample: prev?.sample ?? sample.slice(0, 240) });
    };
    const started = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const c: FuzzCase = cases[next++];
        const what = `${c.method} ${c.path.slice(0, 80)} [${c.label}]`;
        try {
          const a = await http.request(c);
          if (a.status < 400 || a.status >= 500) fail(`${a.status} ${what}`, a.body);
        } catch (err) {
          fail(`ERR ${what}`, (err as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (const [label, bytes] of RAW_HTTP_CASES) {
      try {
        const status = await http.rawBytes(bytes);
        // 0: the server closed the connection without answering, which is fine for broken framing
        if (status !== 0 && (status < 400 || status >= 500)) fail(`${status} raw [${label}]`, '');
      } catch (err) {
        fail(`ERR raw [${label}]`, (err as Error).message);
      }
    }
    const elapsed = Date.now() - started;
    const total = [...bad.values()].reduce((n, v) => n + v.count, 0);
    const report = [...bad].map(([k, v]) => `${v.count > 1 ? `(x${v.count}) ` : ''}${k} ${v.sample}`);
    // soft: the checks below (alive, nothing written) still run and report when this fails
    expect.soft(total, `${total} of ${cases.length} requests were not answered 4xx:\n${report.join('\n')}\n`).toBe(0);
    expect.soft(elapsed).toBeLessThan(60_000);

    // still alive, and nothing changed
    expect(server.running).toBe(true);
    const version = await http.request({ method: 'GET', path: '/version' });
    expect(version.status).toBe(200);
    const after = await snapshot();
    expect.soft(after.objects, 'objects changed').toEqual(before.objects);
    expect.soft(after.listVersions, 'a list resourceVersion moved (something was written)').toEqual(before.listVersions);
  }, 120_000);
});
