// The embedded store keeps values in its files, not in memory: what that must never cost. Values
// survive the move into a snapshot and the retirement of the log they were in, old values that
// only the history holds stay readable for watches and old reads, and a KeyValue a reader still
// holds reads the same bytes after its file is gone.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openWalStore } from '../../../src-main/store/wal-store.ts';
import type { WalStore, WalStoreOptions } from '../../../src-main/store/wal-store.ts';
import type { KeyValue } from '../../../src-main/store/store.ts';
import { collect } from './conformance.ts';

const dirs: string[] = [];
const stores: WalStore[] = [];

async function open(extra: Partial<WalStoreOptions> = {}): Promise<{ store: WalStore; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-values-'));
  dirs.push(dir);
  const store = await openWalStore({ dir, log: () => {}, ...extra });
  stores.push(store);
  return { store, dir };
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Waits until a snapshot exists and the log segments it replaced are gone. */
async function untilSnapshotted(dir: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const names = await readdir(dir);
    if (names.some((n) => n.endsWith('.snap')) && names.filter((n) => n.startsWith('wal-')).length === 1) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no snapshot within 10 s');
}

const big = (tag: string, bytes = 2000): string => `${tag}:`.padEnd(bytes, tag.slice(-1));

describe('WalStore values on disk', () => {
  it('reads current and historical values after a snapshot retired the log they were written to', async () => {
    const { store, dir } = await open({ snapshotLogBytes: 32 * 1024 });
    for (let v = 1; v <= 5; v++) {
      if (v === 1) await store.create('/a', big('a1'));
      else await store.update('/a', big(`a${v}`));
    }
    await store.delete('/a');
    // Enough further writes to cross the snapshot threshold and retire the first segment.
    for (let i = 0; i < 40; i++) await store.create(`/fill/${i}`, big(`f${i}`));
    await untilSnapshotted(dir);

    // Every old value comes back through a watch from the start (history only)...
    const w = collect(store, '/a', 0);
    const events = await w.until(6);
    w.cancel();
    expect(events.map((e) => [e.type, e.kv.value.slice(0, 3)])).toEqual([
      ['put', 'a1:'],
      ['put', 'a2:'],
      ['put', 'a3:'],
      ['put', 'a4:'],
      ['put', 'a5:'],
      ['delete', 'a5:'],
    ]);
    expect(events.slice(1).map((e) => e.prevKv?.value.slice(0, 3))).toEqual(['a1:', 'a2:', 'a3:', 'a4:', 'a5:']);
    // ...and through reads at older revisions; current values come from the snapshot.
    expect((await store.range({ prefix: '/a', revision: 3 })).kvs.map((kv) => kv.value)).toEqual([big('a3')]);
    expect((await store.get('/fill/0'))?.value).toBe(big('f0'));
    const fill = (await store.range({ prefix: '/fill/' })).kvs;
    expect(fill).toHaveLength(40);
    for (const kv of fill) expect(kv.value).toBe(big(`f${kv.key.slice('/fill/'.length)}`));
  });

  it('lets a reader holding a KeyValue read it after the store forgot it and retired its file', async () => {
    const { store, dir } = await open({ snapshotLogBytes: 16 * 1024, historyLimit: 10 });
    const held: KeyValue = await store.create('/held', big('first'));
    await store.update('/held', big('second'));
    for (let i = 0; i < 60; i++) await store.create(`/fill/${i}`, big(`f${i}`));
    await untilSnapshotted(dir);
    // The first value is in no snapshot, no history and no log segment any more.
    await expect(store.range({ prefix: '/held', revision: 1 })).rejects.toThrow(/compacted/);
    expect(held.value).toBe(big('first'));
    expect((await store.get('/held'))?.value).toBe(big('second'));
  });

  it('keeps a write readable while its record is waiting for the sync and after', async () => {
    const { store } = await open();
    const writes = Array.from({ length: 50 }, (_, i) => store.create(`/k/${i}`, big(`v${i}`, 500)));
    const kvs = await Promise.all(writes);
    expect(kvs.map((kv) => kv.value)).toEqual(Array.from({ length: 50 }, (_, i) => big(`v${i}`, 500)));
    expect((await store.get('/k/49'))?.value).toBe(big('v49', 500));
  });

  it('holds keys in memory, not values: 128 MiB of values cost a small part of that', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { store } = await open();
    const value = 'v'.repeat(256 * 1024);
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < 512; i += 16) {
      await Promise.all(Array.from({ length: 16 }, (_, j) => store.create(`/big/${i + j}`, `${i + j}${value}`)));
    }
    // Two collections a turn apart: the write buffers' backing stores go on the second.
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    // Values held in memory would be all 128 MiB; what is left is keys and the last batches'
    // buffers (seen from 20 to 34 MiB, depending on when the collector frees them).
    expect(grown).toBeLessThan(48 * 2 ** 20);
    expect((await store.get('/big/200'))?.value).toBe(`200${value}`);
  });
});
