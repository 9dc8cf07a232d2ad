// WalStore.snapshotNow: what a key rotation relies on to leave no old value on disk. After it the
// folder holds one snapshot and an empty log, earlier values are gone from the files, a restart
// reads everything, and a second snapshot at the same revision keeps the data.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWalStore } from '../../../src-main/store/wal-store.ts';
import type { WalStore } from '../../../src-main/store/wal-store.ts';

const dirs: string[] = [];
const stores: WalStore[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function open(dir: string): Promise<WalStore> {
  const store = await openWalStore({ dir, log: () => {} });
  stores.push(store);
  return store;
}

const snapshotName = (revision: number) => `snapshot-${String(revision).padStart(16, '0')}.snap`;

async function filesHolding(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const f of await readdir(dir)) if ((await readFile(join(dir, f))).includes(Buffer.from(text))) found.push(f);
  return found;
}

describe('WalStore.snapshotNow', () => {
  it('replaces the log with a snapshot of the current values only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubelab-snapnow-'));
    dirs.push(dir);
    const store = await open(dir);
    const a = await store.create('/a', 'old-value-of-a');
    await store.update('/a', 'new-value-of-a', a.modRevision);
    await store.create('/b', 'value-of-b');
    expect(await filesHolding(dir, 'old-value-of-a')).toEqual([expect.stringMatching(/^wal-/)]);
    await store.compact(store.revision());
    await store.snapshotNow();
    expect(await filesHolding(dir, 'old-value-of-a')).toEqual([]);
    expect(await filesHolding(dir, 'new-value-of-a')).toEqual([snapshotName(store.revision())]);
    expect((await store.get('/a'))!.value).toBe('new-value-of-a');

    // Nothing written since: the same revision again must not lose the snapshot it replaces.
    await store.snapshotNow();
    const revision = store.revision();
    await store.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('snapshot-'))).toEqual([snapshotName(revision)]);
    const reopened = await open(dir);
    expect(reopened.revision()).toBe(revision);
    expect((await reopened.get('/a'))!.value).toBe('new-value-of-a');
    expect((await reopened.get('/b'))!.value).toBe('value-of-b');
  });
});
