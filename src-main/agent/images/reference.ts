// Image references as Docker and containerd read them (distribution/reference's grammar and
// normalisation): `busybox` is docker.io/library/busybox:latest, a first path component with a
// '.' or ':' (or `localhost`, or an upper-case letter) names a registry host, a digest pins the
// content. Pods carry these strings in `image:`; everything in images/ works on the parsed form.
import { ImageError } from './image-error.ts';

export const dockerHubRegistry = 'docker.io';

export interface ImageReference {
  /** Registry host as written (with port), `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, `library/busybox` for official Hub images. */
  repository: string;
  /** Tag, `latest` when neither tag nor digest was given. Undefined for a digest-only ref. */
  tag?: string;
  /** `sha256:<hex>` when the reference pins content. */
  digest?: string;
}

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const pathRe = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(`^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const sha256Re = /^sha256:[0-9a-f]{64}$/;
const identifierRe = /^[a-f0-9]{64}$/;
const maxNameLength = 255;

function invalid(text: string, why: string): ImageError {
  return new ImageError('InvalidImageName', `invalid reference format: ${JSON.stringify(text)}: ${why}`);
}

/** Parses and normalises an image reference; throws ImageError('InvalidImageName'). */
export function parseImageReference(text: string): ImageReference {
  if (text === '') throw invalid(text, 'empty reference');
  if (identifierRe.test(text)) {
    throw invalid(text, 'cannot specify 64-byte hexadecimal strings as a repository name');
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw invalid(text, `invalid digest ${JSON.stringify(digest)}`);
    if (digest.startsWith('sha256:') && !sha256Re.test(digest)) {
      throw invalid(text, 'a sha256 digest is 64 lower-case hex characters');
    }
    if (!digest.startsWith('sha256:')) throw invalid(text, `unsupported digest algorithm in ${digest}`);
  }
  let tag: string | undefined;
  // A ':' after the last '/' starts the tag; one before it belongs to a host:port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw invalid(text, `invalid tag ${JSON.stringify(tag)}`);
  }
  const { registry, repository } = splitRegistry(text, rest);
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function splitRegistry(text: string, name: string): { registry: string; repository: string } {
  if (name === '') throw invalid(text, 'empty repository name');
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isHost =
    slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  let registry = isHost ? first : dockerHubRegistry;
  let repository = isHost ? name.slice(slash + 1) : name;
  if (isHost && !domainRe.test(registry)) throw invalid(text, `invalid registry host ${JSON.stringify(registry)}`);
  if (registry === 'index.docker.io') registry = dockerHubRegistry;
  if (registry === dockerHubRegistry && !repository.includes('/')) repository = `library/${repository}`;
  if (repository.toLowerCase() !== repository) {
    throw invalid(text, `repository name (${repository}) must be lowercase`);
  }
  if (!pathRe.test(repository)) throw invalid(text, `invalid repository name ${JSON.stringify(repository)}`);
  if (registry.length + 1 + repository.length > maxNameLength) {
    throw invalid(text, `repository name must not be more than ${maxNameLength} characters`);
  }
  return { registry, repository };
}

/** `registry/repository`, the name part of the canonical form. */
export function imageName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The canonical string: `docker.io/library/busybox:latest`, `host/app@sha256:…`. */
export function formatImageReference(ref: ImageReference): string {
  const tag = ref.tag !== undefined ? `:${ref.tag}` : '';
  const digest = ref.digest ? `@${ref.digest}` : '';
  return `${imageName(ref)}${tag}${digest}`;
}

/** What the manifest request names: the digest when pinned (it wins over a tag), else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
