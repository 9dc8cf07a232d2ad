// Image archives into a real image store (a temp folder): each layout tools write, compressed
// or not, lands under its normalised names with its layers unpacked; broken archives are refused
// with the reason and leave the store as it was.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveImporter } from '../../../../src-main/agent/images/archive-importer.ts';
import { ImageStore } from '../../../../src-main/agent/images/image-store.ts';
import { mediaTypes } from '../../../../src-main/agent/images/manifest.ts';
import { nodePlatform } from '../../../../src-main/agent/images/platform.ts';
import { buildBusyboxImage, sha256 } from '../../../fixtures/images/busybox-image.ts';
import { dockerSave, legacyDockerSave, ociLayoutArchive } from '../../../fixtures/images/image-archives.ts';
import { buildTar } from '../../../fixtures/images/tar-writer.ts';

let work: string;
let n = 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kubelab-archives-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A fresh store and importer, and the archive written into its import folder. */
function setUp(archive: Buffer, name = 'image.tar') {
  const dir = join(work, `store-${++n}`);
  const images = new ImageStore(dir);
  const logs: string[] = [];
  const importer = new ArchiveImporter({ images, dir, log: (l) => logs.push(l), rescanMs: 60_000 });
  execFileSync('mkdir', ['-p', importer.importDir]);
  const path = join(importer.importDir, name);
  writeFileSync(path, archive);
  return { dir, images, importer, path, logs };
}

/** What is in the store besides index.json: blobs and unpacked layers. */
const storeContents = (dir: string) => ['blobs/sha256', 'layers'].flatMap((d) => (existsSync(join(dir, d)) ? readdirSync(join(dir, d)) : []));

describe('image archives', () => {
  it('docker save (legacy layout) is imported under its normalised tags', async () => {
    const image = buildBusyboxImage();
    const { images, importer, path } = setUp(legacyDockerSave(image, ['busybox:offline', 'kubelab.test/tools/busybox:v1']));
    const [stored] = await importer.importArchive(path);
    expect(stored!.names).toEqual(['docker.io/library/busybox:offline', 'kubelab.test/tools/busybox:v1']);
    expect(stored!.configDigest).toBe(image.configDigest);
    expect((await images.get('busybox:offline'))?.configDigest).toBe(image.configDigest);
    expect(await images.has('kubelab.test/tools/busybox:v1')).toBe(true);
    const [top] = (await images.layerDirs('busybox:offline'))!;
    expect(readFileSync(join(top!, 'etc/motd'), 'utf8')).toBe('busybox test image\n');
    // The archive's staging copy is gone: only the archive itself is left in import/.
    expect(readdirSync(importer.importDir)).toEqual(['image.tar']);
  });

  it("Docker 25's docker save (an OCI layout with manifest.json) keeps the real manifest digest", async () => {
    const archive = dockerSave(buildBusyboxImage({ withOverlay: true }), 'busybox:two-layers');
    const { images, importer, path } = setUp(gzipSync(archive), 'image.tar.gz');
    const [stored] = await importer.importArchive(path);
    expect(stored!.names[0]).toBe('docker.io/library/busybox:two-layers');
    expect(stored!.names[1]).toBe(`docker.io/library/busybox@${stored!.repoDigest}`);
    expect(await images.has(`docker.io/library/busybox@${stored!.repoDigest}`)).toBe(true);
    const dirs = (await images.layerDirs('busybox:two-layers'))!;
    expect(dirs).toHaveLength(2);
    expect(readFileSync(join(dirs[0]!, 'data/new.txt'), 'utf8')).toBe('from the top layer\n');
  });

  it('an OCI layout, zstd-compressed, takes its name from org.opencontainers.image.ref.name', async () => {
    const archive = ociLayoutArchive(buildBusyboxImage(), { annotations: { 'org.opencontainers.image.ref.name': 'kubelab.test/oci/busybox:1.0' } });
    const { images, importer, path } = setUp(execFileSync('zstd', ['-q', '-c'], { input: archive, maxBuffer: 64 << 20 }), 'image.tar.zst');
    await importer.importArchive(path);
    expect((await images.list()).map((i) => i.names[0])).toEqual(['kubelab.test/oci/busybox:1.0']);
  });

  it("a multi-platform OCI layout gives this node's platform", async () => {
    const mine = buildBusyboxImage();
    const other = buildBusyboxImage({ platform: { os: 'linux', architecture: nodePlatform().architecture === 'amd64' ? 'arm64' : 'amd64' } });
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: mediaTypes.ociIndex,
      manifests: [other, mine].map((i) => ({ mediaType: mediaTypes.ociManifest, digest: i.manifestDigest, size: i.manifest.length, platform: i.platform })),
    }));
    const top = { schemaVersion: 2, manifests: [{ mediaType: mediaTypes.ociIndex, digest: sha256(index), size: index.length, annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:multi' } }] };
    const blobs = [index, mine.manifest, mine.config, other.manifest, other.config, ...mine.layers.map((l) => l.blob)];
    const archive = buildTar([
      { path: 'index.json', data: JSON.stringify(top) },
      ...[...new Map(blobs.map((b) => [sha256(b), b]))].map(([d, b]) => ({ path: `blobs/sha256/${d.slice(7)}`, data: b })),
    ]);
    const { images, importer, path } = setUp(archive);
    const [stored] = await importer.importArchive(path);
    expect(stored!.manifestDigest).toBe(mine.manifestDigest);
    expect(stored!.repoDigest).toBe(sha256(index));
    expect((await images.get('busybox:multi'))?.manifestDigest).toBe(mine.manifestDigest);
  });

  it('a layer that does not match its digest is refused and leaves nothing in the store', async () => {
    const image = buildBusyboxImage();
    const { dir, images, importer, path } = setUp(ociLayoutArchive(image, { annotations: { 'io.containerd.image.name': 'busybox:bad' }, corruptLayer: true }));
    await expect(importer.importArchive(path)).rejects.toThrow(`layer blob ${image.layers[0]!.digest}: digest mismatch`);
    expect(await images.list()).toEqual([]);
    expect(storeContents(dir)).toEqual([]);
  });

  it('a corrupted layer is refused even when the store has that layer already', async () => {
    const image = buildBusyboxImage();
    const { dir, images, importer, path } = setUp(ociLayoutArchive(image, { annotations: { 'io.containerd.image.name': 'busybox:good' } }));
    await importer.importArchive(path);
    const before = storeContents(dir).sort();
    const bad = join(importer.importDir, 'bad.tar');
    writeFileSync(bad, ociLayoutArchive(image, { annotations: { 'io.containerd.image.name': 'busybox:bad' }, corruptLayer: true }));
    await expect(importer.importArchive(bad)).rejects.toThrow(/digest mismatch/);
    expect((await images.list()).flatMap((i) => i.names)).toEqual(['docker.io/library/busybox:good', `docker.io/library/busybox@${image.manifestDigest}`]);
    expect(storeContents(dir).sort()).toEqual(before);
  });

  it.each([
    ['not a tar at all', Buffer.from('hello, this is not an archive'.repeat(40)), /tar header checksum mismatch/],
    ['a tar without manifest.json or index.json', buildTar([{ path: 'readme.txt', data: 'hi' }]), /neither manifest.json \(docker save\) nor index.json/],
    ['an image without a name', legacyDockerSave(buildBusyboxImage(), null), /has no name/],
    ['an invalid tag', legacyDockerSave(buildBusyboxImage(), ['Busybox:1']), /manifest.json image 0: invalid reference format: "Busybox:1"/],
    ['a path out of the archive', buildTar([{ path: '../manifest.json', data: '[]' }]), /escapes/],
    ['a layer it does not hold', buildTar([{ path: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['a:1'], Layers: ['x/layer.tar'] }]) }, { path: 'c.json', data: '{}' }]), /no layer x\/layer.tar/],
    ['a config that is not its digest', buildTar([{ path: 'manifest.json', data: JSON.stringify([{ Config: `${'0'.repeat(64)}.json`, RepoTags: ['a:1'], Layers: [] }]) }, { path: `${'0'.repeat(64)}.json`, data: '{}' }]), /digest mismatch/],
  ])('%s is refused', async (_what, archive, message) => {
    const { dir, images, importer, path } = setUp(archive);
    await expect(importer.importArchive(path)).rejects.toThrow(message);
    expect(await images.list()).toEqual([]);
    expect(storeContents(dir)).toEqual([]);
  });

  it('the importer moves a finished archive to imported/ and a broken one to failed/ with the reason', async () => {
    const { images, importer, path, logs } = setUp(legacyDockerSave(buildBusyboxImage(), ['busybox:watched']), 'good.tar');
    writeFileSync(join(importer.importDir, 'bad.tgz'), gzipSync(buildTar([{ path: 'x', data: 'y' }])));
    writeFileSync(join(importer.importDir, 'notes.txt'), 'not an archive');
    // Written long enough ago not to look like a copy still under way.
    for (const f of ['good.tar', 'bad.tgz']) utimesSync(join(importer.importDir, f), new Date(Date.now() - 5_000), new Date(Date.now() - 5_000));
    await importer.scan();
    expect(await images.has('busybox:watched')).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(importer.importedDir)).toEqual(['good.tar']);
    expect(readdirSync(importer.failedDir).sort()).toEqual(['bad.tgz', 'bad.tgz.error']);
    expect(readFileSync(join(importer.failedDir, 'bad.tgz.error'), 'utf8')).toMatch(/not an image archive/);
    expect(readdirSync(importer.importDir)).toEqual(['notes.txt']);
    expect(logs.some((l) => l.startsWith('images: imported docker.io/library/busybox:watched (sha256:'))).toBe(true);
    expect(logs.some((l) => l.includes('cannot import') && l.includes('bad.tgz'))).toBe(true);
  });

  it('the importer waits for a file still being written', async () => {
    const { images, importer, path } = setUp(legacyDockerSave(buildBusyboxImage(), ['busybox:later']));
    await importer.scan();
    expect(existsSync(path)).toBe(true);
    expect(await images.has('busybox:later')).toBe(false);
    await new Promise((r) => setTimeout(r, 1_100));
    await importer.scan();
    expect(await images.has('busybox:later')).toBe(true);
  });
});
