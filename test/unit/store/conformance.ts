// The Store conformance suite: the etcd v3 semantics every engine must have (the embedded WAL
// store, the etcd store). Call it from an engine's test file with a factory that opens a fresh,
// empty store. Revisions are counted from the store's revision when it was opened (`base`): 0 for a
// new embedded store; for an etcd store on a fresh prefix, the etcd cluster's revision then, since
// etcd's revisions are global to the cluster.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from '../../../src-main/store/store.ts';
import type { KeyValue, RangeResult, Store, WatchEvent } from '../../../src-main/store/store.ts';

export interface OpenedStore {
  store: Store;
  cleanup: () => Promise<void>;
  /** The store's revision when opened, with nothing under its keys yet (default 0). */
  base?: number;
}

/** A KeyValue's fields as a plain object, to compare with toEqual (engines may return classes). */
export function plain(kv: KeyValue | undefined) {
  return kv && { key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version };
}

/** A range result with plain KeyValues. */
export function plainRange(r: RangeResult) {
  return { ...r, kvs: r.kvs.map(plain) };
}

/** Collects a watch's events; `until(n)` waits for the n-th. */
export function collect(store: Store, prefix: string, afterRevision: number) {
  const events: WatchEvent[] = [];
  const calls: WatchEvent[][] = [];
  let error: Error | undefined;
  let wake: (() => void) | undefined;
  const watch = store.watch(prefix, afterRevision, {
    onEvents(batch) {
      calls.push(batch);
      events.push(...batch);
      wake?.();
    },
    onError(err) {
      error = err;
      wake?.();
    },
  });
  return {
    events,
    calls,
    get error() {
      return error;
    },
    cancel: () => watch.cancel(),
    async until(n: number, timeoutMs = 5000): Promise<WatchEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n && !error) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} events, got ${events.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
      return events;
    },
  };
}

export function storeConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let base: number;
    /** The n-th write's revision. */
    const rev = (n: number) => base + n;
    const summary = (e: WatchEvent) => `${e.type} ${e.kv.key}@${e.kv.modRevision - base}`;

    beforeEach(async () => {
      let opened: number | undefined;
      ({ store, cleanup, base: opened } = await open());
      base = opened ?? 0;
    });
    afterEach(async () => {
      await cleanup();
    });

    it('starts empty at revision 0 (or its base)', async () => {
      expect(store.revision()).toBe(base);
      expect(await store.get('/a')).toBeUndefined();
      const r = await store.range({ prefix: '/' });
      expect(r).toMatchObject({ kvs: [], more: false, count: 0 });
    });

    it('gives every write the next revision, like etcd', async () => {
      const a = await store.create('/a', 'one');
      expect(plain(a)).toEqual({ key: '/a', value: 'one', createRevision: rev(1), modRevision: rev(1), version: 1 });
      const b = await store.create('/b', 'two');
      expect(b.modRevision).toBe(rev(2));
      const a2 = await store.update('/a', 'uno');
      expect(plain(a2)).toEqual({ key: '/a', value: 'uno', createRevision: rev(1), modRevision: rev(3), version: 2 });
      const gone = await store.delete('/b');
      expect(gone).toMatchObject({ key: '/b', value: 'two', modRevision: rev(4) });
      expect(store.revision()).toBe(rev(4));
      const again = await store.create('/b', 'new');
      expect(again).toMatchObject({ createRevision: rev(5), modRevision: rev(5), version: 1 });
      expect(plain(await store.get('/a'))).toEqual(plain(a2));
    });

    it('creates only if absent', async () => {
      const first = await store.create('/ns/x', 'v1');
      const err = await store.create('/ns/x', 'v2').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyExistsError);
      expect(plain((err as KeyExistsError).current)).toEqual(plain(first));
      expect((await store.get('/ns/x'))?.value).toBe('v1');
      expect(store.revision()).toBe(rev(1));
    });

    it('compares and swaps on the mod revision for update and delete', async () => {
      const v1 = await store.create('/k', 'v1');
      const v2 = await store.update('/k', 'v2', v1.modRevision);
      const stale = await store.update('/k', 'v3', v1.modRevision).catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect(plain((stale as ConflictError).current)).toEqual(plain(v2));
      const staleDelete = await store.delete('/k', v1.modRevision).catch((e: unknown) => e);
      expect(staleDelete).toBeInstanceOf(ConflictError);
      expect((await store.get('/k'))?.value).toBe('v2');
      await store.delete('/k', v2.modRevision);
      expect(await store.get('/k')).toBeUndefined();
      await expect(store.update('/k', 'x')).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.update('/k', 'x', rev(3))).rejects.toBeInstanceOf(KeyNotFoundError);
      await expect(store.delete('/k')).rejects.toBeInstanceOf(KeyNotFoundError);
      expect(store.revision()).toBe(rev(3));
    });

    it('lets exactly one of many concurrent compare-and-swaps win', async () => {
      const base = await store.create('/counter', '0');
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.update('/counter', String(i + 1), base.modRevision)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      expect((await store.get('/counter'))?.modRevision).toBe(base.modRevision + 1);
    });

    it('ranges by prefix in key order, with limit, startAfter paging and a total count', async () => {
      const keys = ['/pods/b/2', '/pods/a/1', '/pods/a/3', '/pods/b/1', '/podsx/z', '/svc/a/1', '/pods/a/2'];
      for (const k of keys) await store.create(k, `value of ${k}`);
      const all = await store.range({ prefix: '/pods/' });
      expect(all.kvs.map((kv) => kv.key)).toEqual(['/pods/a/1', '/pods/a/2', '/pods/a/3', '/pods/b/1', '/pods/b/2']);
      expect(all).toMatchObject({ more: false, count: 5, revision: rev(7) });
      expect(all.kvs[0].value).toBe('value of /pods/a/1');

      const pages: string[][] = [];
      let startAfter: string | undefined;
      for (;;) {
        const page = await store.range({ prefix: '/pods/', limit: 2, startAfter });
        expect(page.count).toBe(5);
        pages.push(page.kvs.map((kv) => kv.key));
        if (!page.more) break;
        startAfter = page.kvs[page.kvs.length - 1].key;
      }
      expect(pages).toEqual([['/pods/a/1', '/pods/a/2'], ['/pods/a/3', '/pods/b/1'], ['/pods/b/2']]);

      const exact = await store.range({ prefix: '/pods/', limit: 5 });
      expect(exact.more).toBe(false);
      const counted = await store.range({ prefix: '/pods/a/', countOnly: true });
      expect(counted).toMatchObject({ kvs: [], count: 3 });
      expect((await store.range({ prefix: '/nothing/' })).count).toBe(0);
    });

    it('reads a range as of an older revision, for consistent paging', async () => {
      await store.create('/cm/a', 'a1');
      await store.create('/cm/b', 'b1');
      const at = store.revision();
      await store.update('/cm/a', 'a2');
      await store.delete('/cm/b');
      await store.create('/cm/c', 'c1');
      await store.create('/cm/0', 'zero');

      const old = await store.range({ prefix: '/cm/', revision: at });
      expect(old.revision).toBe(at);
      expect(old.kvs.map((kv) => [kv.key, kv.value])).toEqual([
        ['/cm/a', 'a1'],
        ['/cm/b', 'b1'],
      ]);
      expect(old.count).toBe(2);
      const page = await store.range({ prefix: '/cm/', revision: at, limit: 1, startAfter: '/cm/a' });
      expect(page.kvs.map((kv) => kv.value)).toEqual(['b1']);
      expect(page.more).toBe(false);

      const now = await store.range({ prefix: '/cm/' });
      expect(now.kvs.map((kv) => kv.value)).toEqual(['zero', 'a2', 'c1']);
      await expect(store.range({ prefix: '/cm/', revision: store.revision() + 1 })).rejects.toThrow();
    });

    it('reads every older revision exactly as it was, after random writes', async () => {
      let seed = 7;
      const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
      const model = new Map<string, string>();
      const states: Map<string, string>[] = [new Map()]; // index = revision - base
      for (let i = 0; i < 150; i++) {
        const key = `/m/${random(12)}`;
        if (!model.has(key)) {
          await store.create(key, `v${i}`);
          model.set(key, `v${i}`);
        } else if (random(3) === 0) {
          await store.delete(key);
          model.delete(key);
        } else {
          await store.update(key, `v${i}`);
          model.set(key, `v${i}`);
        }
        states.push(new Map(model));
      }
      for (let n = 1; n < states.length; n += 7) {
        const revision = rev(n);
        const want = [...states[n]].sort(([a], [b]) => (a < b ? -1 : 1));
        const got = await store.range({ prefix: '/m/', revision });
        expect(got.kvs.map((kv) => [kv.key, kv.value])).toEqual(want);
        expect(got.count).toBe(want.length);
        const page = await store.range({ prefix: '/m/', revision, limit: 2, startAfter: '/m/3' });
        expect(page.kvs.map((kv) => kv.key)).toEqual(want.map(([k]) => k).filter((k) => k > '/m/3').slice(0, 2));
      }
    });

    it('watches from a revision: replays history in order, then live, filtered by prefix', async () => {
      await store.create('/pods/a', 'a1'); // 1
      await store.create('/svc/a', 's1'); // 2
      await store.update('/pods/a', 'a2'); // 3
      const w = collect(store, '/pods/', rev(1));
      await store.create('/pods/b', 'b1'); // 4
      await store.create('/svc/b', 's2'); // 5
      await store.delete('/pods/a'); // 6
      const events = await w.until(3);
      expect(events.map(summary)).toEqual(['put /pods/a@3', 'put /pods/b@4', 'delete /pods/a@6']);
      expect(events[0].prevKv).toMatchObject({ value: 'a1', modRevision: rev(1) });
      expect(events[0].kv).toMatchObject({ value: 'a2', version: 2, createRevision: rev(1) });
      expect(events[1].prevKv).toBeUndefined();
      expect(events[2].kv).toMatchObject({ key: '/pods/a', value: 'a2', modRevision: rev(6) });
      expect(events[2].prevKv).toMatchObject({ value: 'a2', modRevision: rev(3) });
      w.cancel();
    });

    it('watches from the current revision see only later writes, and stop after cancel', async () => {
      await store.create('/x/1', '1');
      const w = collect(store, '/x/', store.revision());
      const other = collect(store, '', base);
      await store.create('/x/2', '2');
      expect((await w.until(1)).map(summary)).toEqual(['put /x/2@2']);
      w.cancel();
      await store.create('/x/3', '3');
      await other.until(3);
      expect(w.events).toHaveLength(1);
      other.cancel();
    });

    it('delivers many concurrent writes to a watcher in strict revision order', async () => {
      const w = collect(store, '/c/', base);
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(`/c/${i}`, String(i))));
      const events = await w.until(200);
      expect(events.map((e) => e.kv.modRevision)).toEqual(Array.from({ length: 200 }, (_, i) => rev(i + 1)));
      w.cancel();
    });

    it('does not deliver events inside the writer call', async () => {
      const w = collect(store, '/', base);
      const write = store.create('/sync', 'x');
      expect(w.events).toHaveLength(0);
      await write;
      await w.until(1);
      w.cancel();
    });

    it('refuses watches and reads from a compacted revision', async () => {
      for (let i = 1; i <= 5; i++) await store.create(`/k/${i}`, String(i));
      await store.compact(rev(3));
      expect(store.compactedRevision()).toBe(rev(3));
      expect(() => store.watch('/k/', rev(2), { onEvents() {} })).toThrow(CompactedError);
      await expect(store.range({ prefix: '/k/', revision: rev(2) })).rejects.toBeInstanceOf(CompactedError);
      const w = collect(store, '/k/', rev(3));
      expect((await w.until(2)).map((e) => e.kv.key)).toEqual(['/k/4', '/k/5']);
      w.cancel();
      const r = await store.range({ prefix: '/k/', revision: rev(3) });
      expect(r.kvs.map((kv) => kv.key)).toEqual(['/k/1', '/k/2', '/k/3']);
      // Compaction forgets history, never current data.
      expect((await store.range({ prefix: '/k/' })).count).toBe(5);
      await store.compact(rev(2)); // older than already compacted: nothing changes
      expect(store.compactedRevision()).toBe(rev(3));
    });

    it('closes: watches end with an error, later calls fail', async () => {
      const w = collect(store, '/', base);
      await store.create('/a', '1');
      await store.close();
      expect(w.error).toBeInstanceOf(Error);
      expect(w.events.map(summary)).toEqual(['put /a@1']);
      await expect(store.create('/b', '2')).rejects.toThrow();
    });
  });
}
