// The node's content-addressed image store, under the agent's state dir:
//   blobs/sha256/<hex>    manifests, configs and layer blobs, each written to a temp file and
//                         renamed into place only once its digest checked out
//   layers/<diffID hex>/  each layer unpacked once, an overlayfs lower dir shared by all images
//   index.json            pulled images: names (repo:tag, repo@digest) → manifest, config, layers
// A layer already here is never fetched again, so a second pull costs one manifest request.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileDigest } from './archive-files.ts';
import { parseImageConfig, type ImageConfig } from './image-config.ts';
import { ImageError } from './image-error.ts';
import { layerCompression, type ImageManifest, type Platform } from './manifest.ts';
import { nodePlatform } from './platform.ts';
import { formatImageReference, imageName, parseImageReference, type ImageReference } from './reference.ts';
import { RegistryClient, sha256Digest } from './registry-client.ts';
import type { DockerConfigJSON, RegistryConfig } from './registry-config.ts';
import { unpackLayer } from './unpack.ts';

export interface StoredLayer {
  digest: string;
  mediaType: string;
  size: number;
  diffID: string;
}

export interface StoredImage {
  /** `docker.io/library/busybox:latest` and `docker.io/library/busybox@sha256:…` forms. */
  names: string[];
  /** What the reference resolved to (an index's digest for multi-platform images). */
  repoDigest: string;
  manifestDigest: string;
  /** The image ID, as containerd reports it. */
  configDigest: string;
  layers: StoredLayer[];
  config: ImageConfig;
  /** Sum of the (compressed) layer sizes. */
  size: number;
  pulledAt: string;
}

export interface PullProgress {
  layer: string;
  /** Bytes fetched so far (equals total for a layer already in the store). */
  bytes: number;
  total: number;
  phase: 'exists' | 'downloading' | 'downloaded' | 'unpacked';
}

export interface PullOptions {
  registryConfig?: RegistryConfig;
  pullSecrets?: DockerConfigJSON[];
  platform?: Platform;
  onProgress?: (progress: PullProgress) => void;
}

export interface PullResult {
  image: StoredImage;
  /** Layer blobs fetched from the registry by this pull (0 when all were here). */
  layersFetched: number;
  bytesFetched: number;
}

/** An image whose blobs are local files (an archive's, see image-archive.ts), for addLocal. */
export interface LocalImage {
  /** Canonical `repo:tag` names. */
  tags: string[];
  /** What the names point at: an index's digest for a multi-platform image, else the manifest's. */
  repoDigest: string;
  manifestDigest: string;
  manifest: ImageManifest;
  /** The manifest (and indexes) by digest, as the store keeps them. */
  documents: Map<string, Buffer>;
  config: Buffer;
  /** Each layer blob's file, by the layer's digest; addLocal moves it into the store. */
  layerFiles: Map<string, string>;
  /** Whether `repo@repoDigest` names it too: not for a manifest made up on this node. */
  digestNames: boolean;
}

interface IndexFile {
  images: StoredImage[];
}

const MAX_CONCURRENT_DOWNLOADS = 3;

/** The config a container needs and the layers with their diffIDs; throws when they disagree. */
function imageLayers(manifest: ImageManifest, configBody: Buffer, what: string): { config: ImageConfig; layers: StoredLayer[] } {
  const { config, diffIDs } = parseImageConfig(configBody);
  if (diffIDs.length !== manifest.layers.length) {
    throw new ImageError('ErrImagePull', `${what}: manifest has ${manifest.layers.length} layers, config has ${diffIDs.length} diffIDs`);
  }
  manifest.layers.forEach((l) => layerCompression(l.mediaType));
  const layers = manifest.layers.map((l, i) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, diffID: diffIDs[i] as string }));
  return { config, layers };
}

/** Every blob and layer digest the images use. */
function digestsInUse(images: readonly StoredImage[]): Set<string> {
  return new Set(images.flatMap((i) => [i.repoDigest, i.manifestDigest, i.configDigest, ...i.layers.flatMap((l) => [l.digest, l.diffID])]));
}

/** Runs fn over items, at most `limit` at once; the first failure rejects (after the rest end). */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
}

export class ImageStore {
  private index: IndexFile | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  layerDir(diffID: string): string {
    return join(this.root, 'layers', diffID.replace(/^sha256:/, ''));
  }

  /** Pulls an image into the store and unpacks its layers; throws ImageError. */
  async pull(image: string | ImageReference, opts: PullOptions = {}): Promise<PullResult> {
    const ref = typeof image === 'string' ? parseImageReference(image) : image;
    const client = new RegistryClient(ref, {
      ...(opts.registryConfig ? { config: opts.registryConfig } : {}),
      ...(opts.pullSecrets ? { pullSecrets: opts.pullSecrets } : {}),
    });
    const resolved = await client.resolve(opts.platform ?? nodePlatform());
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.root, 'layers'), { recursive: true });
    for (const [digest, body] of resolved.documents) await this.writeBlob(digest, body);
    const { manifest } = resolved;
    const configBody = existsSync(this.blobPath(manifest.config.digest))
      ? await readFile(this.blobPath(manifest.config.digest))
      : await client.fetchBlobBytes(manifest.config);
    await this.writeBlob(manifest.config.digest, configBody);
    const { config, layers } = imageLayers(manifest, configBody, formatImageReference(ref));
    let layersFetched = 0;
    let bytesFetched = 0;
    // Layers are fetched and unpacked in parallel (three at a time, as containerd does): each
    // unpacks into its own folder, so their order does not matter until the overlay mount.
    await eachLimited(layers, MAX_CONCURRENT_DOWNLOADS, async (layer) => {
      const report = (bytes: number, phase: PullProgress['phase']) =>
        opts.onProgress?.({ layer: layer.digest, bytes, total: layer.size, phase });
      if (existsSync(this.blobPath(layer.digest))) {
        report(layer.size, 'exists');
      } else {
        await this.once(layer.digest, () => this.download(client, layer, (b) => report(b, 'downloading')));
        layersFetched++;
        bytesFetched += layer.size;
        report(layer.size, 'downloaded');
      }
      if (!existsSync(this.layerDir(layer.diffID))) {
        await this.once(layer.diffID, () => this.unpack(layer));
        report(layer.size, 'unpacked');
      }
    });
    const name = imageName(ref);
    const names = [`${name}@${resolved.repoDigest}`];
    if (ref.tag !== undefined && !ref.digest) names.unshift(`${name}:${ref.tag}`);
    const stored: StoredImage = {
      names,
      repoDigest: resolved.repoDigest,
      manifestDigest: resolved.manifestDigest,
      configDigest: manifest.config.digest,
      layers,
      config,
      size: layers.reduce((sum, l) => sum + l.size, 0),
      pulledAt: new Date().toISOString(),
    };
    await this.record(stored);
    return { image: stored, layersFetched, bytesFetched };
  }

  /**
   * Adds an image whose blobs are local files (an archive's): each layer file is checked against
   * its digest and size and moved in, then unpacked with its diffID checked, as a pull does. The
   * image is recorded only once all of it checked out; for one that did not, what this added to
   * the store goes again, so nothing half-imported is ever used. Throws ImageError.
   */
  async addLocal(image: LocalImage): Promise<StoredImage> {
    const what = image.tags[0] ?? image.manifestDigest;
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.root, 'layers'), { recursive: true });
    const added: { digest: string; path: string }[] = [];
    const note = (digest: string, path: string) => (existsSync(path) ? undefined : added.push({ digest, path }));
    try {
      for (const [digest, body] of [...image.documents, [image.manifest.config.digest, image.config] as const]) {
        note(digest, this.blobPath(digest));
        await this.writeBlob(digest, body);
      }
      const { config, layers } = imageLayers(image.manifest, image.config, what);
      for (const layer of layers) {
        note(layer.digest, this.blobPath(layer.digest));
        await this.once(layer.digest, () => this.takeBlobFile(image.layerFiles.get(layer.digest), layer));
        note(layer.diffID, this.layerDir(layer.diffID));
        if (!existsSync(this.layerDir(layer.diffID))) await this.once(layer.diffID, () => this.unpack(layer));
      }
      const repositories = [...new Set(image.tags.map((t) => imageName(parseImageReference(t))))];
      const stored: StoredImage = {
        names: [...image.tags, ...(image.digestNames ? repositories.map((r) => `${r}@${image.repoDigest}`) : [])],
        repoDigest: image.repoDigest,
        manifestDigest: image.manifestDigest,
        configDigest: image.manifest.config.digest,
        layers,
        config,
        size: layers.reduce((sum, l) => sum + l.size, 0),
        pulledAt: new Date().toISOString(),
      };
      await this.record(stored);
      return stored;
    } catch (e) {
      const inUse = digestsInUse(await this.list());
      for (const { digest, path } of added) if (!inUse.has(digest)) await rm(path, { recursive: true, force: true });
      throw e instanceof ImageError ? e : new ImageError('ErrImagePull', `${what}: ${(e as Error).message}`);
    }
  }

  /** The stored image a reference names, or undefined. */
  async get(image: string | ImageReference): Promise<StoredImage | undefined> {
    const ref = typeof image === 'string' ? parseImageReference(image) : image;
    const index = await this.load();
    const name = imageName(ref);
    if (ref.digest) {
      return index.images.find(
        (i) => (i.repoDigest === ref.digest || i.manifestDigest === ref.digest) && i.names.some((n) => n.startsWith(`${name}@`)),
      );
    }
    const wanted = formatImageReference(ref);
    return index.images.find((i) => i.names.includes(wanted));
  }

  async has(image: string | ImageReference): Promise<boolean> {
    return (await this.get(image)) !== undefined;
  }

  async imageConfig(image: string | ImageReference): Promise<ImageConfig | undefined> {
    return (await this.get(image))?.config;
  }

  /** The image's unpacked layers as overlayfs lower dirs, topmost first (lowerdir order). */
  async layerDirs(image: string | ImageReference): Promise<string[] | undefined> {
    const stored = await this.get(image);
    return stored?.layers.map((l) => this.layerDir(l.diffID)).reverse();
  }

  async list(): Promise<StoredImage[]> {
    return [...(await this.load()).images];
  }

  /**
   * Removes the image a reference names, with all its names (CRI's RemoveImage), and the blobs
   * and layer dirs no other image uses. Returns false when there was no such image.
   */
  async remove(image: string | ImageReference): Promise<boolean> {
    const stored = await this.get(image);
    if (!stored) return false;
    const others = await this.update((index) => {
      index.images = index.images.filter((i) => i !== stored);
      return index.images;
    });
    const inUse = digestsInUse(others);
    const blobs = [stored.repoDigest, stored.manifestDigest, stored.configDigest, ...stored.layers.map((l) => l.digest)];
    for (const digest of blobs) if (!inUse.has(digest)) await rm(this.blobPath(digest), { force: true });
    for (const l of stored.layers) {
      if (!inUse.has(l.diffID)) await rm(this.layerDir(l.diffID), { recursive: true, force: true });
    }
    return true;
  }

  private async download(client: RegistryClient, layer: StoredLayer, onBytes: (bytes: number) => void): Promise<void> {
    const tmp = `${this.blobPath(layer.digest)}.tmp-${randomBytes(6).toString('hex')}`;
    await client.downloadBlob(layer, tmp, onBytes);
    await rename(tmp, this.blobPath(layer.digest));
  }

  /**
   * Moves a local layer file into blobs/ once its digest and size check out. The file is checked
   * even when the store has the blob already: a broken archive is refused, not half-used.
   */
  private async takeBlobFile(file: string | undefined, layer: StoredLayer): Promise<void> {
    if (!file) throw new ImageError('ErrImagePull', `layer ${layer.digest}: no blob`);
    const { digest, size } = await fileDigest(file);
    if (digest !== layer.digest) throw new ImageError('ErrImagePull', `layer blob ${layer.digest}: digest mismatch (it is ${digest})`);
    if (size !== layer.size) throw new ImageError('ErrImagePull', `layer blob ${layer.digest}: ${size} bytes, the manifest says ${layer.size}`);
    const path = this.blobPath(layer.digest);
    if (existsSync(path)) return;
    // The file is the caller's to give away (a staged copy): moved when it can be, else copied.
    await rename(file, path).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EXDEV') throw e;
      const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      await copyFile(file, tmp);
      await rename(tmp, path);
    });
  }

  private async unpack(layer: StoredLayer): Promise<void> {
    await unpackLayer(this.blobPath(layer.digest), this.layerDir(layer.diffID), {
      compression: layerCompression(layer.mediaType),
      diffID: layer.diffID,
    });
  }

  /** Runs one fetch or unpack per key at a time: concurrent pulls share the work. */
  private async once(key: string, work: () => Promise<void>): Promise<void> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async writeBlob(digest: string, body: Buffer): Promise<void> {
    const path = this.blobPath(digest);
    if (existsSync(path)) return;
    if (sha256Digest(body) !== digest) throw new ImageError('ErrImagePull', `blob ${digest}: digest mismatch`);
    const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  /** Adds an image; names it takes over (a tag that moved) leave their old image. */
  private async record(image: StoredImage): Promise<void> {
    await this.update((index) => {
      for (const other of index.images) other.names = other.names.filter((n) => !image.names.includes(n));
      const same = index.images.find((i) => i.manifestDigest === image.manifestDigest);
      if (same) image.names = [...new Set([...same.names, ...image.names])];
      index.images = [...index.images.filter((i) => i !== same && i.names.length > 0), image];
    });
  }

  private async load(): Promise<IndexFile> {
    if (!this.index) {
      const path = join(this.root, 'index.json');
      this.index = existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as IndexFile) : { images: [] };
    }
    return this.index;
  }

  /** Changes the index and writes it (temp + rename), one change at a time. */
  private update<T>(change: (index: IndexFile) => T): Promise<T> {
    const next = this.writing.then(async () => {
      const index = await this.load();
      const result = change(index);
      await mkdir(this.root, { recursive: true });
      const path = join(this.root, 'index.json');
      const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
      await writeFile(tmp, JSON.stringify(index, null, 2));
      await rename(tmp, path);
      return result;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
