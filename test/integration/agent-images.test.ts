// Image pulls against a real registry (Debian's docker-registry on loopback): the busybox test
// image pushed, pulled by tag and digest into the node's store, layers verified, stored and
// unpacked once; indexes, corrupt blobs, missing images, pull policies, auth, mirrors.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore, type PullProgress } from '../../src-main/agent/images/image-store.ts';
import { isOpaque } from '../../src-main/agent/images/overlay-marks.ts';
import { nodePlatform } from '../../src-main/agent/images/platform.ts';
import { ensureImage } from '../../src-main/agent/images/pull-policy.ts';
import { assembleImage, buildBusyboxImage, busyboxLayer, gzipLayer, pushImage, pushIndex, type BuiltImage } from '../../test/fixtures/images/busybox-image.ts';
import { startTestRegistry, type TestRegistry } from '../../test/fixtures/images/test-registry.ts';

const here = nodePlatform();
const other = here.architecture === 'arm64' ? { os: 'linux', architecture: 'amd64' } : { os: 'linux', architecture: 'arm64', variant: 'v8' };

let registry: TestRegistry;
let work: string;
let busybox: BuiltImage;
let overlay: BuiltImage;
let indexDigest: string;
const stores: string[] = [];

function newStore(): ImageStore {
  const dir = join(work, `store-${stores.length}`);
  stores.push(dir);
  return new ImageStore(dir);
}

function blobFiles(store: ImageStore): string[] {
  return readdirSync(join(store.root, 'blobs', 'sha256')).sort();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kubelab-images-'));
  registry = await startTestRegistry();
  busybox = buildBusyboxImage();
  overlay = buildBusyboxImage({ withOverlay: true });
  await pushImage({ url: registry.url }, 'test/busybox', 'v1', busybox);
  await pushImage({ url: registry.url }, 'test/busybox', 'latest', busybox);
  await pushImage({ url: registry.url }, 'test/overlay', 'v1', overlay);
  const foreign = buildBusyboxImage({ platform: other });
  // The foreign platform first, so that taking the first entry would be wrong.
  indexDigest = await pushIndex({ url: registry.url }, 'test/multi', 'v1', [foreign, busybox]);
});

afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('pulling from a real registry', () => {
  it('pulls by tag: verified blobs, the image config, unpacked layers that run', async () => {
    const store = newStore();
    const progress: PullProgress[] = [];
    const ref = `${registry.host}/test/busybox:v1`;
    const result = await store.pull(ref, { onProgress: (p) => progress.push(p) });
    expect(result.layersFetched).toBe(1);
    expect(result.image.names).toEqual([ref, `${registry.host}/test/busybox@${busybox.manifestDigest}`]);
    expect(result.image.manifestDigest).toBe(busybox.manifestDigest);
    expect(result.image.configDigest).toBe(busybox.configDigest);
    expect(result.image.layers).toEqual([
      { digest: busybox.layers[0]?.digest, diffID: busybox.layers[0]?.diffID, mediaType: busybox.layers[0]?.mediaType, size: busybox.layers[0]?.blob.length },
    ]);
    expect(await store.imageConfig(ref)).toMatchObject({ cmd: ['sh'], env: [expect.stringMatching(/^PATH=/)], workingDir: '/' });
    expect((await store.imageConfig(ref))?.entrypoint).toBeUndefined();
    // Every stored blob is named by its content's digest.
    for (const file of blobFiles(store)) {
      expect(createHash('sha256').update(readFileSync(join(store.root, 'blobs', 'sha256', file))).digest('hex')).toBe(file);
    }
    expect(blobFiles(store)).toHaveLength(3); // manifest, config, layer
    const phases = progress.map((p) => p.phase);
    expect(phases).toContain('downloading');
    expect(phases.slice(-2)).toEqual(['downloaded', 'unpacked']);
    expect(progress.at(-1)).toMatchObject({ bytes: busybox.layers[0]?.blob.length, total: busybox.layers[0]?.blob.length });

    const [dir] = (await store.layerDirs(ref)) ?? [];
    expect(dir).toBe(store.layerDir(busybox.layers[0]?.diffID ?? ''));
    expect(statSync(join(dir ?? '', 'bin/busybox')).mode & 0o111).toBe(0o111);
    expect(readlinkSync(join(dir ?? '', 'bin/sh'))).toBe('busybox');
    expect(statSync(join(dir ?? '', 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(execFileSync(join(dir ?? '', 'bin/busybox'), ['echo', 'hello from the layer'], { encoding: 'utf8' })).toBe('hello from the layer\n');
  });

  it('fetches the layers of an image three at a time, and all arrive', async () => {
    // Incompressible layers, large enough to come in many chunks.
    const layers = Array.from({ length: 5 }, (_, i) => gzipLayer([{ path: `data-${i}`, data: randomBytes(768 * 1024) }]));
    const wide = assembleImage([busyboxLayer(), ...layers], nodePlatform());
    await pushImage({ url: registry.url }, 'test/wide', 'v1', wide);
    const store = newStore();
    const inFlight = new Set<string>();
    let most = 0;
    const progress: PullProgress[] = [];
    const result = await store.pull(`${registry.host}/test/wide:v1`, {
      onProgress: (p) => {
        progress.push(p);
        if (p.phase === 'downloading') inFlight.add(p.layer);
        if (p.phase === 'downloaded') inFlight.delete(p.layer);
        most = Math.max(most, inFlight.size);
      },
    });
    expect(result.layersFetched).toBe(6);
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(3);
    for (const l of layers) {
      expect(progress.filter((p) => p.layer === l.digest).map((p) => p.phase).filter((ph) => ph !== 'downloading')).toEqual(['downloaded', 'unpacked']);
      expect(readFileSync(join(store.layerDir(l.diffID), `data-${layers.indexOf(l)}`)).length).toBe(768 * 1024);
    }
    expect(await store.layerDirs(`${registry.host}/test/wide:v1`)).toEqual([...wide.layers].reverse().map((l) => store.layerDir(l.diffID)));
  });

  it('pulls by digest and again by tag without fetching a layer twice', async () => {
    const store = newStore();
    const byDigest = `${registry.host}/test/busybox@${busybox.manifestDigest}`;
    expect((await store.pull(byDigest)).layersFetched).toBe(1);
    expect(await store.has(byDigest)).toBe(true);
    expect(await store.has(`${registry.host}/test/busybox:v1`)).toBe(false);
    const again = await store.pull(`${registry.host}/test/busybox:v1`);
    expect(again).toMatchObject({ layersFetched: 0, bytesFetched: 0 });
    expect(await store.has(`${registry.host}/test/busybox:v1`)).toBe(true);
    // The overlay image shares the base layer: only its own top layer comes over the wire.
    const top = await store.pull(`${registry.host}/test/overlay:v1`);
    expect(top.layersFetched).toBe(1);
    expect(top.bytesFetched).toBe(overlay.layers[1]?.blob.length);
    expect(blobFiles(store)).toHaveLength(6); // 2 manifests, 2 configs, 2 layers
    expect(readdirSync(join(store.root, 'layers'))).toHaveLength(2);
    expect((await store.list()).length).toBe(2);
  });

  it('an image on top whites out a file and makes a dir opaque', async () => {
    const store = newStore();
    const ref = `${registry.host}/test/overlay:v1`;
    await store.pull(ref);
    const [topDir, baseDir] = (await store.layerDirs(ref)) ?? [];
    expect(topDir).toBe(store.layerDir(overlay.layers[1]?.diffID ?? ''));
    expect(lstatSync(join(topDir ?? '', 'etc/motd')).isCharacterDevice()).toBe(true);
    expect(await isOpaque(join(topDir ?? '', 'data'))).toBe(true);
    expect(statSync(join(topDir ?? '', 'data/new.txt')).uid).toBe(65534);
    expect(statSync(join(topDir ?? '', 'data/new-link.txt')).ino).toBe(statSync(join(topDir ?? '', 'data/new.txt')).ino);
    expect(readFileSync(join(baseDir ?? '', 'data/old.txt'), 'utf8')).toBe('from the base layer\n');
  });

  it('picks this node\'s platform from an index', async () => {
    const store = newStore();
    const ref = `${registry.host}/test/multi:v1`;
    const result = await store.pull(ref);
    expect(result.image.repoDigest).toBe(indexDigest);
    expect(result.image.manifestDigest).toBe(busybox.manifestDigest);
    expect(await store.has(`${registry.host}/test/multi@${indexDigest}`)).toBe(true);
    const foreign = await newStore().pull(ref, { platform: other });
    expect(foreign.image.config.architecture).toBe(other.architecture);
    await expect(newStore().pull(ref, { platform: { os: 'linux', architecture: 's390x' } })).rejects.toMatchObject({
      reason: 'ErrImagePull',
      message: expect.stringMatching(/no image for platform linux\/s390x \(index offers linux\/\w+.*, linux\/\w+/),
    });
  });

  it('reports a missing image with the registry\'s reason', async () => {
    const store = newStore();
    await expect(store.pull(`${registry.host}/test/busybox:nosuchtag`)).rejects.toMatchObject({
      reason: 'ErrImagePull',
      registry: { status: 404, code: 'MANIFEST_UNKNOWN' },
      message: expect.stringMatching(/test\/busybox\/manifests\/nosuchtag: 404 MANIFEST_UNKNOWN: manifest unknown/),
    });
    await expect(store.pull(`${registry.host}/test/nothere:v1`)).rejects.toMatchObject({
      registry: { status: 404, code: expect.stringMatching(/^(NAME|MANIFEST)_UNKNOWN$/) },
    });
    expect(await store.list()).toEqual([]);
  });

  it('refuses a blob the registry serves corrupted', async () => {
    // A layer of its own: the registry stores blobs once for all repositories.
    const image = assembleImage([busyboxLayer(), gzipLayer([{ path: 'noise', data: randomBytes(4096) }])], here);
    await pushImage({ url: registry.url }, 'test/corrupt', 'v1', image);
    const top = image.layers[1];
    const hex = top?.digest.slice('sha256:'.length) ?? '';
    const data = join(registry.dir, 'storage/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(data);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(data, bytes);
    const store = newStore();
    await expect(store.pull(`${registry.host}/test/corrupt:v1`)).rejects.toMatchObject({
      reason: 'ErrImagePull',
      message: expect.stringMatching(new RegExp(`blob ${top?.digest}: digest mismatch: content is sha256:[0-9a-f]{64}`)),
    });
    writeFileSync(data, Buffer.concat([bytes, Buffer.from('extra')]));
    await expect(store.pull(`${registry.host}/test/corrupt:v1`)).rejects.toMatchObject({
      message: expect.stringMatching(/size mismatch: expected \d+ bytes, got \d+/),
    });
    expect(blobFiles(store).filter((f) => f === hex || f.includes('.tmp-'))).toEqual([]);
    expect(await store.has(`${registry.host}/test/corrupt:v1`)).toBe(false);
  });

  it('applies IfNotPresent, Never and Always', async () => {
    const store = newStore();
    const ref = `${registry.host}/test/busybox:v1`;
    await expect(ensureImage(store, ref, 'Never', {})).rejects.toMatchObject({
      reason: 'ErrImageNeverPull',
      message: `Container image "${ref}" is not present with pull policy of Never`,
    });
    expect((await ensureImage(store, ref, 'IfNotPresent', {}))?.layersFetched).toBe(1);
    expect(await ensureImage(store, ref, 'IfNotPresent', {})).toBeUndefined();
    expect(await ensureImage(store, ref, 'Never', {})).toBeUndefined();
    // Always asks the registry again, which costs a manifest and no layer.
    expect(await ensureImage(store, ref, 'Always', {})).toMatchObject({ layersFetched: 0 });
  });

  it('removes an image and the blobs and layers no other image uses', async () => {
    const store = newStore();
    await store.pull(`${registry.host}/test/busybox:v1`);
    await store.pull(`${registry.host}/test/overlay:v1`);
    expect(await store.remove(`${registry.host}/test/overlay:v1`)).toBe(true);
    expect(await store.has(`${registry.host}/test/overlay:v1`)).toBe(false);
    expect(blobFiles(store)).toEqual([busybox.manifestDigest, busybox.configDigest, busybox.layers[0]?.digest ?? ''].map((d) => d.slice(7)).sort());
    expect(readdirSync(join(store.root, 'layers'))).toEqual([busybox.layers[0]?.diffID.slice(7)]);
    expect(await store.remove(`${registry.host}/test/overlay:v1`)).toBe(false);
    // A new store over the same dir reads the index back.
    const reopened = new ImageStore(store.root);
    expect(await reopened.has(`${registry.host}/test/busybox:v1`)).toBe(true);
    expect(await reopened.remove(`${registry.host}/test/busybox@${busybox.manifestDigest}`)).toBe(true);
    expect(blobFiles(store)).toEqual([]);
    expect(readdirSync(join(store.root, 'layers'))).toEqual([]);
  });

  it('pulls through mirrors, skipping one that is down', async () => {
    const store = newStore();
    const result = await store.pull('mirror.invalid/test/busybox:v1', {
      registryConfig: { mirrors: { 'mirror.invalid': { endpoint: ['http://127.0.0.1:1', registry.url] } } },
    });
    expect(result.image.names[0]).toBe('mirror.invalid/test/busybox:v1');
    expect(result.layersFetched).toBe(1);
  });
});
