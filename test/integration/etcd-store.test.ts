// EtcdStore against real etcd (Debian's 3.4, started on loopback): the whole Store conformance
// suite on one etcd with a fresh prefix per test, then what only an etcd engine has: several
// members and one of them killed, a compaction by another client, TLS client certificates.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openEtcdStore } from '../../src-main/store/etcd/etcd-store.ts';
import type { EtcdStore, EtcdStoreOptions } from '../../src-main/store/etcd/etcd-store.ts';
import { CompactedError, KeyExistsError } from '../../src-main/store/store.ts';
import { collect, storeConformance } from '../unit/store/conformance.ts';
import { startEtcd } from './harness/etcd.ts';
import type { EtcdCluster } from './harness/etcd.ts';

let etcd: EtcdCluster;
let prefixes = 0;
const freshPrefix = () => `/test-${process.pid}-${++prefixes}/`;

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});

const stores: EtcdStore[] = [];
async function open(options: Partial<EtcdStoreOptions> = {}): Promise<EtcdStore> {
  const store = await openEtcdStore({ endpoints: etcd.endpoints, prefix: freshPrefix(), ...options });
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

storeConformance('EtcdStore', async () => {
  const store = await openEtcdStore({ endpoints: etcd.endpoints, prefix: freshPrefix() });
  return { store, base: store.revision(), cleanup: () => store.close() };
});

/** Retries a call while the cluster elects a new leader. */
async function retrying<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('EtcdStore on etcd', () => {
  it('keeps its keys under the prefix, apart from other prefixes', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    const b = await open();
    await a.create('/pods/x', 'in a');
    expect(await b.get('/pods/x')).toBeUndefined();
    expect((await b.range({ prefix: '/' })).count).toBe(0);
    const again = await open({ prefix });
    expect((await again.get('/pods/x'))?.value).toBe('in a');
  });

  it('learns of a compaction by another client: the watch ends with CompactedError', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    const base = a.revision();
    for (let i = 1; i <= 4; i++) await a.create(`/k/${i}`, String(i));
    const b = await open({ prefix });
    await b.compact(base + 3);
    expect(a.compactedRevision()).toBeLessThan(base + 3); // a has not heard of it yet
    const w = collect(a, '/k/', base + 1);
    await w.until(1);
    expect(w.error).toBeInstanceOf(CompactedError);
    expect((w.error as CompactedError).compacted).toBe(base + 3);
    expect(a.compactedRevision()).toBe(base + 3);
    await expect(a.range({ prefix: '/k/', revision: base + 1 })).rejects.toBeInstanceOf(CompactedError);
    // A store opened now finds the compacted revision itself.
    expect((await open({ prefix })).compactedRevision()).toBe(base + 3);
  });

  it('follows writes of other clients in revision()', async () => {
    const prefix = freshPrefix();
    const a = await open({ prefix });
    const b = await open({ prefix });
    const w = collect(a, '/', a.revision());
    const written = await b.create('/x', '1');
    await w.until(1);
    expect(a.revision()).toBeGreaterThanOrEqual(written.modRevision);
    w.cancel();
  });
});

describe('EtcdStore on a 3-member etcd cluster', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcd({ members: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps serving reads, writes and watches when the leader is killed', async () => {
    const store = await open({ endpoints: cluster.endpoints, requestTimeoutMs: 2_000 });
    const base = store.revision();
    const w = collect(store, '/', base);
    for (let i = 0; i < 5; i++) await store.create(`/before/${i}`, String(i));
    await w.until(5);
    const leader = await cluster.leader();
    await cluster.members[leader].kill();
    // A create that timed out during the election may have been applied: then it exists, with our value.
    const create = (key: string, value: string) =>
      store.create(key, value).catch((e: unknown) => {
        if (e instanceof KeyExistsError && e.current.value === value) return e.current;
        throw e;
      });
    for (let i = 0; i < 5; i++) await retrying(() => create(`/after/${i}`, String(i)));
    expect((await retrying(() => store.range({ prefix: '/after/' }))).count).toBe(5);
    // The watch resumed where it was (on another member if its own died): every event once, in order.
    const events = await w.until(10, 15_000);
    expect(events.map((e) => e.kv.key)).toEqual([...[0, 1, 2, 3, 4].map((i) => `/before/${i}`), ...[0, 1, 2, 3, 4].map((i) => `/after/${i}`)]);
    const revisions = events.map((e) => e.kv.modRevision);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(await cluster.leader()).not.toBe(leader);
    w.cancel();
  });
});

describe('EtcdStore over TLS with a client certificate', () => {
  let secure: EtcdCluster;
  beforeAll(async () => {
    secure = await startEtcd({ tls: true });
  });
  afterAll(async () => {
    await secure?.stop();
  });

  it('connects with the client certificate and is refused without one', async () => {
    const tls = secure.tls!;
    const store = await open({ endpoints: secure.endpoints, tls });
    await store.create('/secret', 'ok');
    expect((await store.get('/secret'))?.value).toBe('ok');
    await expect(openEtcdStore({ endpoints: secure.endpoints, tls: { ca: tls.ca }, requestTimeoutMs: 2_000 })).rejects.toThrow();
  });
});
