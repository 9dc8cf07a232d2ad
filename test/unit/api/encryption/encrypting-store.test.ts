// EncryptingStore over the WAL engine: the Store contract is unchanged (the conformance suite, with
// every value encrypted), the engine holds only ciphertext, and a value that cannot be decrypted
// fails the read or the watch that meets it, with the key named.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWalStore } from '../../../../src-main/store/wal-store.ts';
import type { WalStore } from '../../../../src-main/store/wal-store.ts';
import { KeyExistsError } from '../../../../src-main/store/store.ts';
import { EncryptingStore } from '../../../../src-main/api/encryption/encrypting-store.ts';
import { aesgcmTransformer } from '../../../../src-main/api/encryption/aes.ts';
import { identityTransformer, prefixTransformers, TransformError } from '../../../../src-main/api/encryption/transformer.ts';
import { newEncryptionKey } from '../../../../src-main/api/encryption/encryption-config-file.ts';
import { collect, storeConformance } from '../../store/conformance.ts';

const everything = prefixTransformers([aesgcmTransformer(newEncryptionKey('key1')), identityTransformer]);

storeConformance('EncryptingStore over WalStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubelab-encstore-conf-'));
  const engine = await openWalStore({ dir, log: () => {} });
  return {
    store: new EncryptingStore(engine, () => everything),
    cleanup: async () => {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('EncryptingStore', () => {
  const dirs: string[] = [];
  const engines: WalStore[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function open() {
    const dir = await mkdtemp(join(tmpdir(), 'kubelab-encstore-'));
    dirs.push(dir);
    const engine = await openWalStore({ dir, log: () => {} });
    engines.push(engine);
    const store = new EncryptingStore(engine, (key) => (key.startsWith('/registry/core/secrets/') ? everything : undefined));
    return { engine, store };
  }

  const SECRET = '/registry/core/secrets/default/db';
  const CONFIGMAP = '/registry/core/configmaps/default/settings';

  it('the engine keeps ciphertext for configured resources and the rest as it is', async () => {
    const { engine, store } = await open();
    const written = await store.create(SECRET, '{"data":"hunter2"}');
    expect(written.value).toBe('{"data":"hunter2"}');
    await store.create(CONFIGMAP, '{"data":"plain"}');
    expect((await engine.get(SECRET))!.value).toMatch(/^k8s:enc:aesgcm:v1:key1:/);
    expect((await engine.get(SECRET))!.value).not.toContain('hunter2');
    expect((await engine.get(CONFIGMAP))!.value).toBe('{"data":"plain"}');
    const got = (await store.get(SECRET))!;
    expect([got.value, got.valueLength, got.modRevision, got.version]).toEqual(['{"data":"hunter2"}', 18, written.modRevision, 1]);
    const bytes = Buffer.alloc(got.valueLength);
    expect(got.copyValue(bytes, 0)).toBe(18);
    expect(bytes.toString()).toBe('{"data":"hunter2"}');
  });

  it('a refused create carries the current value decrypted', async () => {
    const { store } = await open();
    await store.create(SECRET, '{"v":1}');
    const err = await store.create(SECRET, '{"v":2}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyExistsError);
    expect((err as KeyExistsError).current.value).toBe('{"v":1}');
  });

  it('a value written before encryption is read, and encrypted when it is next written', async () => {
    const { engine, store } = await open();
    await engine.create(SECRET, '{"v":"old"}');
    const kv = (await store.get(SECRET))!;
    expect(kv.value).toBe('{"v":"old"}');
    await store.update(SECRET, '{"v":"new"}', kv.modRevision);
    expect((await engine.get(SECRET))!.value).toMatch(/^k8s:enc:aesgcm:v1:key1:/);
  });

  it('a corrupted value fails get and range with the key named, and ends a watch with that error after the events before it', async () => {
    const { engine, store } = await open();
    await store.create(SECRET, '{"v":1}');
    const watch = collect(store, '/registry/core/secrets/', engine.revision());
    const prefix = 'k8s:enc:aesgcm:v1:key1:';
    const sealed = Buffer.from((await engine.get(SECRET))!.value.slice(prefix.length), 'base64');
    sealed[sealed.length - 1] ^= 0xff;
    await engine.update(SECRET, prefix + sealed.toString('base64'));
    await expect(store.get(SECRET)).rejects.toThrow(TransformError);
    await expect(store.get(SECRET)).rejects.toThrow(`unable to transform key "${SECRET}"`);
    await expect(store.range({ prefix: '/registry/core/secrets/' })).rejects.toThrow(/message authentication failed/);
    expect((await store.range({ prefix: '/registry/core/secrets/', countOnly: true })).count).toBe(1);
    await watch.until(1);
    expect(watch.events).toEqual([]);
    expect(watch.error).toBeInstanceOf(TransformError);
    // From the start: the good event before the broken one still arrives.
    const fromStart = collect(store, '/registry/core/secrets/', 0);
    await fromStart.until(2);
    expect(fromStart.events.map((e) => e.kv.value)).toEqual(['{"v":1}']);
    expect(fromStart.error).toBeInstanceOf(TransformError);
    // The other resources are untouched by one broken secret.
    await store.create(CONFIGMAP, '{}');
    expect((await store.get(CONFIGMAP))!.value).toBe('{}');
  });
});
