// An OCI distribution client for pulls: resolve a reference to this node's manifest (through an
// index or manifest list when there is one), then download blobs by digest, each verified. One
// client per pull: it tries the registry's endpoints (mirrors first) and keeps the token the
// registry gave it for the repository.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ImageError } from './image-error.ts';
import { manifestAccept, parseManifestDocument, type Descriptor, type ImageManifest, type Platform } from './manifest.ts';
import { formatPlatform, selectManifest } from './platform.ts';
import { formatImageReference, manifestReference, type ImageReference } from './reference.ts';
import { basicAuthorization, fetchToken, parseChallenge } from './registry-auth.ts';
import {
  credentialsFor,
  registryEndpoints,
  tlsConfigFor,
  type DockerConfigJSON,
  type RegistryConfig,
} from './registry-config.ts';
import { readBody, registryError, registryRequest, type RegistryResponse } from './registry-http.ts';

export interface RegistryClientOptions {
  config?: RegistryConfig;
  pullSecrets?: DockerConfigJSON[];
}

export interface ResolvedImage {
  /** The digest the reference points at: an index's when there is one, else the manifest's. */
  repoDigest: string;
  manifestDigest: string;
  manifest: ImageManifest;
  /** Raw documents by digest, to store as they were served (their digests cover the bytes). */
  documents: Map<string, Buffer>;
}

const maxManifestBytes = 4 * 1024 * 1024;
const maxIndexDepth = 2;

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export class RegistryClient {
  private endpoint: URL | undefined;
  private authorization: string | undefined;

  constructor(
    readonly ref: ImageReference,
    private readonly options: RegistryClientOptions = {},
  ) {}

  /** Resolves the reference to the manifest for `platform`, trying each endpoint in turn. */
  async resolve(platform: Platform): Promise<ResolvedImage> {
    let lastError: ImageError | undefined;
    for (const endpoint of registryEndpoints(this.ref.registry, this.options.config)) {
      this.endpoint = endpoint;
      this.authorization = undefined;
      try {
        return await this.resolveAt(platform);
      } catch (err) {
        if (!(err instanceof ImageError)) throw err;
        lastError = err;
        // containerd moves to the next host when one is unreachable or lacks the image.
        if (err.registry && err.registry.status !== 404) throw err;
      }
    }
    throw lastError ?? new ImageError('ErrImagePull', `no endpoint for ${this.ref.registry}`);
  }

  private async resolveAt(platform: Platform): Promise<ResolvedImage> {
    const documents = new Map<string, Buffer>();
    let reference = manifestReference(this.ref);
    let repoDigest: string | undefined;
    for (let depth = 0; depth <= maxIndexDepth; depth++) {
      const { body, digest, contentType } = await this.fetchManifest(reference);
      documents.set(digest, body);
      repoDigest ??= digest;
      const doc = parseManifestDocument(body, contentType);
      if (doc.kind === 'manifest') return { repoDigest, manifestDigest: digest, manifest: doc.manifest, documents };
      const chosen = selectManifest(doc.index.manifests, platform);
      if (!chosen) {
        const offered = doc.index.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : '?')).join(', ');
        throw new ImageError(
          'ErrImagePull',
          `${formatImageReference(this.ref)}: no image for platform ${formatPlatform(platform)} (index offers ${offered || 'nothing'})`,
        );
      }
      reference = chosen.digest;
    }
    throw new ImageError('ErrImagePull', `${formatImageReference(this.ref)}: image indexes nested too deep`);
  }

  private async fetchManifest(reference: string): Promise<{ body: Buffer; digest: string; contentType?: string }> {
    const what = `manifest ${this.repositoryURL()}/manifests/${reference}`;
    const res = await this.get(`manifests/${reference}`, { Accept: manifestAccept });
    if (res.status !== 200) throw await registryError(res, `fetching ${what}`);
    const body = await readBody(res.body, maxManifestBytes);
    const digest = sha256Digest(body);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new ImageError('ErrImagePull', `${what}: digest mismatch: content is ${digest}`);
    }
    const contentType = res.headers['content-type'];
    return { body, digest, ...(contentType ? { contentType } : {}) };
  }

  /** Fetches a small blob (the image config) into memory, verified. */
  async fetchBlobBytes(desc: Descriptor): Promise<Buffer> {
    const res = await this.openBlob(desc);
    const body = await readBody(res.body, Math.max(desc.size, 0) + 1);
    verify(desc, body.length, sha256Digest(body));
    return body;
  }

  /**
   * Downloads a blob into `path`, hashing as it streams; a size or digest mismatch removes the
   * file and throws. `onBytes` sees the running byte count.
   */
  async downloadBlob(desc: Descriptor, path: string, onBytes?: (bytes: number) => void): Promise<void> {
    const res = await this.openBlob(desc);
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > desc.size) return done(sizeError(desc, bytes));
        hash.update(chunk);
        onBytes?.(bytes);
        done(null, chunk);
      },
    });
    try {
      await pipeline(res.body, meter, createWriteStream(path));
      verify(desc, bytes, `sha256:${hash.digest('hex')}`);
    } catch (err) {
      await rm(path, { force: true });
      if (err instanceof ImageError) throw err;
      throw new ImageError('ErrImagePull', `downloading ${desc.digest}: ${(err as Error).message}`);
    }
  }

  private async openBlob(desc: Descriptor): Promise<RegistryResponse> {
    const res = await this.get(`blobs/${desc.digest}`, {});
    if (res.status !== 200) throw await registryError(res, `fetching blob ${this.repositoryURL()}/blobs/${desc.digest}`);
    return res;
  }

  private repositoryURL(): string {
    return `${this.endpoint?.host ?? this.ref.registry}/${this.ref.repository}`;
  }

  /** GET under /v2/<repository>/, answering one auth challenge if the registry sends it. */
  private async get(path: string, headers: Record<string, string>): Promise<RegistryResponse> {
    const endpoint = this.endpoint ?? registryEndpoints(this.ref.registry, this.options.config)[0];
    if (!endpoint) throw new ImageError('ErrImagePull', `no endpoint for ${this.ref.registry}`);
    this.endpoint = endpoint;
    const url = new URL(`${endpoint.href.replace(/\/$/, '')}/v2/${this.ref.repository}/${path}`);
    const tls = tlsConfigFor(endpoint, this.ref.registry, this.options.config);
    const send = () =>
      registryRequest(url, { headers: { ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) }, tls });
    const res = await send();
    if (res.status !== 401) return res;
    const challenge = parseChallenge(String(res.headers['www-authenticate'] ?? ''));
    const creds = credentialsFor(this.ref.registry, endpoint, this.options.config, this.options.pullSecrets);
    let next: string | undefined;
    if (challenge?.scheme === 'bearer') {
      const scope = `repository:${this.ref.repository}:pull`;
      next = `Bearer ${await fetchToken(challenge, scope, creds, tls)}`;
    } else if (challenge?.scheme === 'basic' && creds) {
      next = basicAuthorization(creds);
    }
    // Credentials refused once are refused again: the registry's own answer is the error.
    if (next === undefined || next === this.authorization) return res;
    res.body.resume();
    this.authorization = next;
    return send();
  }
}

function sizeError(desc: Descriptor, bytes: number): ImageError {
  return new ImageError('ErrImagePull', `blob ${desc.digest}: size mismatch: expected ${desc.size} bytes, got ${bytes}`);
}

function verify(desc: Descriptor, bytes: number, digest: string): void {
  if (bytes !== desc.size) throw sizeError(desc, bytes);
  if (digest !== desc.digest) {
    throw new ImageError('ErrImagePull', `blob ${desc.digest}: digest mismatch: content is ${digest}`);
  }
}
