// The OCI image spec's documents as the registry serves them (Docker's schema 2 types are the
// same shapes under other media types), and the checks that a parsed one is usable.
import { ImageError } from './image-error.ts';

export const mediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** What the manifest request accepts, in Docker's order of preference. */
export const manifestAccept = [
  mediaTypes.ociIndex,
  mediaTypes.dockerManifestList,
  mediaTypes.ociManifest,
  mediaTypes.dockerManifest,
].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** How a layer blob is compressed, from its media type; throws for what we cannot unpack. */
export function layerCompression(mediaType: string): LayerCompression {
  switch (mediaType) {
    case mediaTypes.ociLayer:
    case 'application/vnd.docker.image.rootfs.diff.tar':
      return 'none';
    case mediaTypes.ociLayerGzip:
    case mediaTypes.dockerLayerGzip:
    case mediaTypes.dockerForeignLayerGzip:
      return 'gzip';
    case mediaTypes.ociLayerZstd:
      return 'zstd';
    default:
      throw new ImageError('ErrImagePull', `unsupported layer media type ${JSON.stringify(mediaType)}`);
  }
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === mediaTypes.ociIndex || mediaType === mediaTypes.dockerManifestList;
}

export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === mediaTypes.ociManifest || mediaType === mediaTypes.dockerManifest;
}

const digestRe = /^sha256:[0-9a-f]{64}$/;

function checkDescriptor(d: Descriptor | undefined, where: string): void {
  if (!d || typeof d.mediaType !== 'string' || !digestRe.test(String(d.digest)) || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ImageError('ErrImagePull', `invalid descriptor in ${where}: ${JSON.stringify(d)}`);
  }
}

/** Parses a manifest or index body; the media type comes from the body or the Content-Type. */
export function parseManifestDocument(
  body: Buffer,
  contentType: string | undefined,
): { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest } {
  let doc: ImageIndex & ImageManifest;
  try {
    doc = JSON.parse(body.toString('utf8')) as ImageIndex & ImageManifest;
  } catch (err) {
    throw new ImageError('ErrImagePull', `manifest is not JSON: ${(err as Error).message}`);
  }
  const mediaType = doc.mediaType ?? contentType?.split(';')[0]?.trim() ?? '';
  if (isIndexMediaType(mediaType) || (!doc.mediaType && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests)) throw new ImageError('ErrImagePull', 'image index has no manifests');
    doc.manifests.forEach((d) => checkDescriptor(d, 'image index'));
    return { kind: 'index', index: doc };
  }
  if (isManifestMediaType(mediaType) || (!doc.mediaType && doc.config && Array.isArray(doc.layers))) {
    checkDescriptor(doc.config, 'manifest config');
    if (!Array.isArray(doc.layers)) throw new ImageError('ErrImagePull', 'image manifest has no layers');
    doc.layers.forEach((d) => checkDescriptor(d, 'manifest layers'));
    return { kind: 'manifest', manifest: doc };
  }
  throw new ImageError('ErrImagePull', `unsupported manifest media type ${JSON.stringify(mediaType)}`);
}
