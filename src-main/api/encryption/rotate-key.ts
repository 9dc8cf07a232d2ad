// `kubelab secrets rotate-key`: upstream's documented rotation, done on the data folder directly.
//   1. a new key is added first to every entry: it encrypts from now on, the old keys still decrypt;
//   2. every encrypted resource's object not written with it is rewritten (upstream: `kubectl get
//      secrets -A -o json | kubectl replace -f -`);
//   3. history is compacted and a snapshot replaces the log, so no old ciphertext stays on disk;
//   4. the old keys are dropped from the configuration.
// A crash at any step leaves a folder that reads: the config always has every key still in use,
// and running the command again finishes the job. The server reads its keys when it starts, so it
// must be stopped: the store's lock refuses while it runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openWalStore } from '../../store/wal-store.ts';
import type { WalStore } from '../../store/wal-store.ts';
import type { EncryptionConfiguration, EncryptionKey, ProviderConfiguration } from './encryption-config.ts';
import { encryptionConfigPath, ensureEncryptionConfig, newEncryptionKey, writeEncryptionConfig } from './encryption-config-file.ts';
import { transformerForKey } from './transformer-for-key.ts';
import type { TransformerForKey } from './transformer-for-key.ts';
import { TransformError } from './transformer.ts';
import type { Transformer } from './transformer.ts';

export interface RotationResult {
  /** The key everything is encrypted with now. */
  key: string;
  /** The keys removed from the configuration. */
  dropped: string[];
  /** Objects rewritten with the new key. */
  rewritten: number;
}

/** A rotation refused before anything changed. */
export class RotationError extends Error {}

export async function rotateEncryptionKey(dataDir: string, log: (line: string) => void = () => {}): Promise<RotationResult> {
  // A mistyped --data-dir must not become a new, empty cluster.
  if (!existsSync(join(dataDir, 'store'))) throw new RotationError(`${dataDir} holds no cluster (no store folder): nothing to rotate`);
  const store = await openWalStore({ dir: join(dataDir, 'store'), log });
  try {
    const current = ensureEncryptionConfig(dataDir);
    const key = newEncryptionKey(freshKeyName(current, new Date()));
    const path = encryptionConfigPath(dataDir);
    const staged = withKeyFirst(current, key);
    writeEncryptionConfig(path, staged);
    const rewritten = await rewriteStale(store, transformerForKey(staged));
    await store.compact(store.revision());
    await store.snapshotNow();
    const final = withOnlyKey(staged, key);
    writeEncryptionConfig(path, final);
    return { key: key.name, dropped: keyNames(current).filter((n) => n !== key.name), rewritten };
  } finally {
    await store.close();
  }
}

/** Every entry gets an aesgcm provider first with key, then the keys and providers it had. */
export function withKeyFirst(config: EncryptionConfiguration, key: EncryptionKey): EncryptionConfiguration {
  return {
    ...config,
    resources: config.resources.map((r) => {
      const gcm = r.providers.find((p) => 'aesgcm' in p);
      const oldGcmKeys = gcm && 'aesgcm' in gcm ? gcm.aesgcm.keys : [];
      const others = r.providers.filter((p) => p !== gcm);
      return { ...r, providers: [{ aesgcm: { keys: [key, ...oldGcmKeys] } }, ...others] };
    }),
  };
}

/** Once nothing needs them: the new key alone, and identity if the entry had it (reads nothing now). */
export function withOnlyKey(config: EncryptionConfiguration, key: EncryptionKey): EncryptionConfiguration {
  const keep = (p: ProviderConfiguration) => 'identity' in p;
  return { ...config, resources: config.resources.map((r) => ({ ...r, providers: [{ aesgcm: { keys: [key] } }, ...r.providers.filter(keep)] })) };
}

/** Rewrites, with the writing provider, every value another provider wrote; returns how many. */
async function rewriteStale(store: WalStore, transformerFor: TransformerForKey): Promise<number> {
  let rewritten = 0;
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.range({ prefix: '/registry/', startAfter, limit: 500 });
    for (const kv of page.kvs) {
      const t = transformerFor(kv.key);
      if (!t) continue;
      const { value, stale } = opened(t, kv.key, kv.value);
      if (!stale) continue;
      await store.update(kv.key, t.toStorage(value, kv.key), kv.modRevision);
      rewritten++;
    }
    if (!page.more) return rewritten;
    startAfter = page.kvs.at(-1)!.key;
  }
}

function opened(t: Transformer, key: string, stored: string): { value: string; stale: boolean } {
  try {
    return t.fromStorage(stored, key);
  } catch (e) {
    // The staged configuration keeps every old key, so stopping here loses nothing.
    if (e instanceof TransformError) throw new RotationError(`the rotation stopped, the old keys are kept: ${e.message}`);
    throw e;
  }
}

function keyNames(config: EncryptionConfiguration): string[] {
  const names = config.resources.flatMap((r) => r.providers.flatMap((p) => ('aesgcm' in p ? p.aesgcm.keys : 'aescbc' in p ? p.aescbc.keys : []).map((k) => k.name)));
  return [...new Set(names)];
}

/** key-20261202T015503Z: when it was made, which is what a reader of the file wants to know. */
function freshKeyName(config: EncryptionConfiguration, now: Date): string {
  const base = `key-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
  const taken = new Set(keyNames(config));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}
