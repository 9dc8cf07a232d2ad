// WalStore: the conformance suite, plus what only an embedded engine has: restart, snapshots,
// torn log tails, and the data-folder lock.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, truncate, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWalStore } from '../../../src-main/store/wal-store.ts';
import type { WalStore, WalStoreOptions } from '../../../src-main/store/wal-store.ts';
import { CompactedError, StoreLockedError } from '../../../src-main/store/store.ts';
import { collect, plain, plainRange, storeConformance } from './conformance.ts';

const dirs: string[] = [];
const stores: WalStore[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-walstore-'));
  dirs.push(dir);
  return dir;
}

async function openIn(dir: string, extra: Partial<WalStoreOptions> = {}): Promise<{ store: WalStore; lines: string[] }> {
  const lines: string[] = [];
  const store = await openWalStore({ dir, log: (line) => lines.push(line), ...extra });
  stores.push(store);
  return { store, lines };
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

storeConformance('WalStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-walstore-conf-'));
  const store = await openWalStore({ dir, log: () => {} });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('wal-')).sort();
}

describe('WalStore on disk', () => {
  it('keeps values, revisions and versions across a restart', async () => {
    const dir = await tempDir();
    const first = await openIn(dir);
    await first.store.create('/a', 'a1');
    await first.store.create('/b', 'b1');
    const a2 = plain(await first.store.update('/a', 'a2 with "quotes" and ünïcödé'));
    await first.store.delete('/b');
    await first.store.close();

    const { store } = await openIn(dir);
    expect(store.revision()).toBe(4);
    expect(plain(await store.get('/a'))).toEqual(a2);
    expect(await store.get('/b')).toBeUndefined();
    const c = await store.create('/c', 'c1');
    expect(c.modRevision).toBe(5);
    // History written before the restart is still there for watches.
    const w = collect(store, '/', 2);
    expect((await w.until(3)).map((e) => `${e.type} ${e.kv.key}`)).toEqual(['put /a', 'delete /b', 'put /c']);
    w.cancel();
  });

  it('remembers a compaction across a restart', async () => {
    const dir = await tempDir();
    const first = await openIn(dir);
    for (let i = 0; i < 5; i++) await first.store.create(`/k/${i}`, 'v');
    await first.store.compact(4);
    await first.store.close();
    const { store } = await openIn(dir);
    expect(store.compactedRevision()).toBe(4);
    expect(() => store.watch('/', 3, { onEvents() {} })).toThrow(CompactedError);
  });

  it('writes a snapshot, drops old log segments, and restarts from it', async () => {
    const dir = await tempDir();
    const first = await openIn(dir, { snapshotLogBytes: 64 * 1024 });
    const value = 'x'.repeat(1000);
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => first.store.create(`/obj/${round}/${i}`, `${round}:${i}:${value}`)));
    }
    await first.store.update('/obj/0/0', 'changed');
    await first.store.delete('/obj/0/1');
    await first.store.close();
    const files = await readdir(dir);
    const snaps = files.filter((n) => n.endsWith('.snap'));
    expect(snaps).toHaveLength(1);
    expect(files.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Only the log written since the snapshot remains (the 300 KB written before are gone).
    let logBytes = 0;
    for (const s of await segments(dir)) logBytes += (await stat(join(dir, s))).size;
    expect(logBytes).toBeLessThan(200 * 1024);

    const { store } = await openIn(dir);
    expect(store.revision()).toBe(302);
    const all = await store.range({ prefix: '/obj/' });
    expect(all.count).toBe(299);
    expect((await store.get('/obj/0/0'))?.value).toBe('changed');
    expect(await store.get('/obj/0/1')).toBeUndefined();
    expect(await store.get('/obj/2/99')).toMatchObject({ value: `2:99:${value}`, version: 1 });
    expect((await store.create('/after', 'x')).modRevision).toBe(303);
  });

  it('cuts a torn last record and keeps every record before it', async () => {
    const dir = await tempDir();
    const first = await openIn(dir);
    for (let i = 1; i <= 10; i++) await first.store.create(`/k/${i}`, `value ${i}`);
    await first.store.close();
    const [segment] = await segments(dir);
    const size = (await stat(join(dir, segment))).size;
    await truncate(join(dir, segment), size - 7); // the 10th record, cut mid-way

    const { store, lines } = await openIn(dir);
    expect(store.revision()).toBe(9);
    expect((await store.get('/k/9'))?.value).toBe('value 9');
    expect(await store.get('/k/10')).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^store: cut corrupt log tail at .*${segment}:\\d+ \\(\\d+ bytes\\)$`));
    // The cut is permanent and new writes follow the kept ones.
    expect((await store.create('/k/10', 'again')).modRevision).toBe(10);
    await store.close();
    const reopened = await openIn(dir);
    expect(reopened.lines).toEqual([]);
    expect((await reopened.store.get('/k/10'))?.value).toBe('again');
  });

  it('cuts the log at a flipped byte', async () => {
    const dir = await tempDir();
    const first = await openIn(dir);
    for (let i = 1; i <= 10; i++) await first.store.create(`/k/${String(i).padStart(2, '0')}`, 'same size');
    await first.store.close();
    const [segment] = await segments(dir);
    const path = join(dir, segment);
    const bytes = await readFile(path);
    const recordBytes = bytes.length / 10; // same-sized records
    bytes[Math.floor(recordBytes * 7.5)] ^= 0x40; // inside the 8th record
    await writeFile(path, bytes);

    const { store, lines } = await openIn(dir);
    expect(store.revision()).toBe(7);
    expect((await store.range({ prefix: '/k/' })).count).toBe(7);
    expect(lines[0]).toBe(`store: cut corrupt log tail at ${path}:${recordBytes * 7} (${recordBytes * 3} bytes)`);
  });

  it('refuses a second open of the same folder, naming the holder', async () => {
    const dir = await tempDir();
    await openIn(dir);
    const err = await openWalStore({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    expect((err as Error).message).toContain(dir);
  });

  it('refuses while another live process holds the lock', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const lock = { pid: child.pid, hostname: hostname(), since: new Date().toISOString() };
      await writeFile(join(dir, 'LOCK'), JSON.stringify(lock));
      const err = await openWalStore({ dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreLockedError);
      expect((err as Error).message).toContain(`pid ${child.pid}`);
      // The same pid in a lock written long before that process started (a reboot reused it).
      await writeFile(join(dir, 'LOCK'), JSON.stringify({ ...lock, since: '2001-01-01T00:00:00Z' }));
      const reused = await openIn(dir);
      await reused.store.close();
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // Now the holder is dead: its lock is stale and taken over.
    const { store } = await openIn(dir);
    expect(store.revision()).toBe(0);
    const lock = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
  });

  it('releases the lock on close', async () => {
    const dir = await tempDir();
    const first = await openIn(dir);
    await first.store.create('/a', '1');
    await first.store.close();
    const second = await openIn(dir);
    expect(second.store.revision()).toBe(1);
  });

  it('ends a watcher that falls behind the bounded history with CompactedError', async () => {
    const dir = await tempDir();
    const { store } = await openIn(dir, { historyLimit: 5 });
    for (let i = 0; i < 5; i++) await store.create(`/k/${i}`, 'v');
    const w = collect(store, '/k/', 0);
    // One write goes to disk alone, the next 20 share the following sync: by the time the watcher
    // gets its next turn, the history has moved past it.
    await Promise.all(Array.from({ length: 21 }, (_, i) => store.create(`/k/more-${i}`, 'v')));
    await w.until(1000, 1000).catch(() => undefined);
    expect(w.error).toBeInstanceOf(CompactedError);
    expect(store.compactedRevision()).toBe(21);
  });

  it('reads and watches only durable writes', async () => {
    const dir = await tempDir();
    const { store } = await openIn(dir);
    await store.create('/a', 'old');
    const write = store.update('/a', 'new');
    // The update has its revision but is not on disk yet: nobody may see it.
    expect(store.revision()).toBe(1);
    expect((await store.get('/a'))?.value).toBe('old');
    expect((await store.range({ prefix: '/' })).kvs.map((kv) => kv.value)).toEqual(['old']);
    await write;
    expect(store.revision()).toBe(2);
    expect((await store.get('/a'))?.value).toBe('new');
  });

  it('replays a long history to a watcher completely and in order', async () => {
    const dir = await tempDir();
    const { store } = await openIn(dir);
    const n = 12_000;
    for (let i = 0; i < n; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => store.create(`/r/${i + j}`, 'v')));
    }
    const w = collect(store, '/r/', 0);
    const events = await w.until(n);
    expect(events.map((e) => e.kv.modRevision)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // In several calls: a long replay yields to other work between them.
    expect(w.calls.length).toBeGreaterThan(1);
    w.cancel();
  });

  it('comes back identical after concurrent writes, deletes and several snapshots', async () => {
    const dir = await tempDir();
    const first = await openIn(dir, { snapshotLogBytes: 32 * 1024 });
    const pad = 'p'.repeat(300);
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 60; i++) {
          const key = `/s/${w}/${i % 20}`;
          const current = await first.store.get(key);
          if (!current) await first.store.create(key, `${w}-${i}-${pad}`);
          else if (i % 7 === 0) await first.store.delete(key, current.modRevision);
          else await first.store.update(key, `${w}-${i}-${pad}`, current.modRevision);
        }
      }),
    );
    // Values are read from the store's files, so take them before it closes.
    const before = plainRange(await first.store.range({ prefix: '/' }));
    await first.store.close();
    expect((await readdir(dir)).filter((n) => n.endsWith('.snap'))).toHaveLength(1);

    const { store } = await openIn(dir);
    expect(store.revision()).toBe(before.revision);
    expect(plainRange(await store.range({ prefix: '/' }))).toEqual(before);
  });
});

