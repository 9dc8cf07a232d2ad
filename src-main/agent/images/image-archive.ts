// The images in an unpacked archive, in the two layouts image tools write:
//   OCI image layout   oci-layout, index.json, blobs/sha256/<hex>; the index's descriptors name
//                      their images in annotations (containerd's io.containerd.image.name, or
//                      org.opencontainers.image.ref.name when it is a whole reference). Docker
//                      25+ `docker save` writes this too, with its manifest.json beside it.
//   docker save        manifest.json: [{ Config, RepoTags, Layers }] with <id>/layer.tar files;
//                      it has no manifest, so one is made here (its digest is this node's own).
// Names are normalised as a pull's are (busybox:1 → docker.io/library/busybox:1). Every document
// read is checked against its digest here; layer blobs are checked by the store as it takes them.
import { fileDigest, sniffCompression, type ArchiveFiles } from './archive-files.ts';
import type { LocalImage } from './image-store.ts';
import { mediaTypes, parseManifestDocument, type Descriptor, type ImageManifest, type Platform } from './manifest.ts';
import { formatPlatform, selectManifest } from './platform.ts';
import { formatImageReference, parseImageReference } from './reference.ts';
import { sha256Digest } from './registry-client.ts';

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

const MAX_INDEX_DEPTH = 2;
const containerdName = 'io.containerd.image.name';
const ociRefName = 'org.opencontainers.image.ref.name';

/** The archive's images for this platform; throws an Error saying what is wrong with it. */
export async function archiveImages(files: ArchiveFiles, platform: Platform): Promise<LocalImage[]> {
  const docker = files.has('manifest.json') ? await files.readJSON<DockerManifestEntry[]>('manifest.json') : undefined;
  if (docker !== undefined && !Array.isArray(docker)) throw new Error('manifest.json is not a docker save manifest (a list of images)');
  let images: LocalImage[];
  if (files.has('index.json')) images = await ociLayoutImages(files, platform, docker ?? []);
  else if (docker) images = await Promise.all(docker.map((entry, i) => dockerSaveImage(files, entry, i)));
  else throw new Error('neither manifest.json (docker save) nor index.json (OCI image layout): not an image archive');
  if (images.length === 0) throw new Error(`the archive has no image for ${formatPlatform(platform)}`);
  const unnamed = images.find((i) => i.tags.length === 0);
  if (unnamed) throw new Error(`image ${unnamed.manifest.config.digest} has no name (RepoTags or a ${containerdName} / ${ociRefName} annotation): pods could not use it`);
  return images;
}

function normalisedTag(name: string, where: string): string {
  let ref;
  try {
    ref = parseImageReference(name);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  if (ref.tag === undefined || ref.digest) throw new Error(`${where}: ${JSON.stringify(name)} is not a repo:tag name`);
  return formatImageReference(ref);
}

/** A ref.name that is only a tag ("1.0", the OCI spec's example) names no repository. */
function annotatedName(d: Descriptor): string | undefined {
  const full = d.annotations?.[containerdName];
  if (full) return full;
  const ref = d.annotations?.[ociRefName];
  return ref && /[/:]/.test(ref) ? ref : undefined;
}

/** Where an OCI layout keeps a blob: blobs/<algorithm>/<hex>. */
const blobName = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

async function blob(files: ArchiveFiles, digest: string): Promise<Buffer> {
  const body = await files.read(blobName(digest));
  if (sha256Digest(body) !== digest) throw new Error(`blob ${digest}: digest mismatch`);
  return body;
}

async function ociLayoutImages(files: ArchiveFiles, platform: Platform, docker: DockerManifestEntry[]): Promise<LocalImage[]> {
  if (files.has('oci-layout')) {
    const layout = await files.readJSON<{ imageLayoutVersion?: string }>('oci-layout');
    if (layout.imageLayoutVersion !== '1.0.0') throw new Error(`oci-layout: unsupported imageLayoutVersion ${JSON.stringify(layout.imageLayoutVersion)}`);
  }
  const top = parseManifestDocument(await files.read('index.json'), mediaTypes.ociIndex);
  if (top.kind !== 'index') throw new Error('index.json is not an image index');
  // docker's manifest.json names images by their config blob's path.
  const dockerTags = new Map(docker.map((e) => [e.Config?.replace(/^blobs\/sha256\//, 'sha256:') ?? '', e.RepoTags ?? []]));
  const images: LocalImage[] = [];
  for (const d of top.index.manifests) {
    // A top-level descriptor for another platform (a layout of several) is not for this node.
    if (d.platform && !selectManifest([d], platform)) continue;
    const image = await resolveOci(files, d, platform);
    if (!image) continue;
    const names = [annotatedName(d), ...(dockerTags.get(image.manifest.config.digest) ?? [])].filter((n): n is string => !!n);
    image.tags = [...new Set(names.map((n) => normalisedTag(n, `index.json entry ${d.digest}`)))];
    images.push(image);
  }
  return images;
}

/** Follows a descriptor through indexes to this platform's manifest; undefined when none fits. */
async function resolveOci(files: ArchiveFiles, top: Descriptor, platform: Platform): Promise<LocalImage | undefined> {
  const documents = new Map<string, Buffer>();
  let d = top;
  for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
    const body = await blob(files, d.digest);
    documents.set(d.digest, body);
    const doc = parseManifestDocument(body, d.mediaType);
    if (doc.kind === 'manifest') {
      const config = await blob(files, doc.manifest.config.digest);
      const layerFiles = new Map<string, string>();
      for (const l of doc.manifest.layers) {
        const path = files.path(blobName(l.digest));
        if (!path) throw new Error(`the archive has no blob for layer ${l.digest}`);
        layerFiles.set(l.digest, path);
      }
      return { tags: [], repoDigest: top.digest, manifestDigest: d.digest, manifest: doc.manifest, documents, config, layerFiles, digestNames: true };
    }
    const next = selectManifest(doc.index.manifests, platform);
    if (!next) return undefined;
    d = next;
  }
  throw new Error(`${top.digest}: indexes nested deeper than ${MAX_INDEX_DEPTH}`);
}

const layerMediaType = { none: 'application/vnd.docker.image.rootfs.diff.tar', gzip: mediaTypes.dockerLayerGzip, zstd: mediaTypes.ociLayerZstd } as const;

/** docker save's legacy entry: its config's name is its digest; the manifest is made here. */
async function dockerSaveImage(files: ArchiveFiles, entry: DockerManifestEntry, i: number): Promise<LocalImage> {
  const where = `manifest.json image ${i}`;
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw new Error(`${where}: no Config or Layers`);
  const config = await files.read(entry.Config);
  const configDigest = sha256Digest(config);
  const named = /([0-9a-f]{64})(?:\.json)?$/.exec(entry.Config)?.[1];
  if (named && `sha256:${named}` !== configDigest) throw new Error(`${where}: config ${entry.Config}: digest mismatch (it is ${configDigest})`);
  const layerFiles = new Map<string, string>();
  const layers: Descriptor[] = [];
  for (const name of entry.Layers) {
    const path = files.path(name);
    if (!path) throw new Error(`${where}: the archive has no layer ${name}`);
    const { digest, size } = await fileDigest(path);
    layers.push({ mediaType: layerMediaType[await sniffCompression(path)], digest, size });
    layerFiles.set(digest, path);
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, digest: configDigest, size: config.length },
    layers,
  };
  const body = Buffer.from(JSON.stringify(manifest));
  const digest = sha256Digest(body);
  const tags = [...new Set((entry.RepoTags ?? []).map((t) => normalisedTag(t, where)))];
  return { tags, repoDigest: digest, manifestDigest: digest, manifest, documents: new Map([[digest, body]]), config, layerFiles, digestNames: false };
}
