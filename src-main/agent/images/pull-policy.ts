// imagePullPolicy as the kubelet applies it: the API default (Always for `:latest` or no tag,
// IfNotPresent otherwise — a digest-only reference is IfNotPresent) and whether a pull is due.
import { ImageError } from './image-error.ts';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** The API server's default for a container without imagePullPolicy. */
export function defaultPullPolicy(image: string): PullPolicy {
  const name = image.split('@')[0] ?? '';
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : image.includes('@') ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * Whether to pull; throws ErrImageNeverPull (the kubelet's message) when the policy is Never
 * and the image is absent.
 */
export function shouldPull(policy: PullPolicy, present: boolean, image: string): boolean {
  if (policy === 'Always') return true;
  if (present) return false;
  if (policy === 'Never') {
    throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
  }
  return true;
}

/** The store operations ensureImage needs (ImageStore has them). */
export interface ImagePuller<Options, Result> {
  has(image: string): Promise<boolean>;
  pull(image: string, opts: Options): Promise<Result>;
}

/**
 * The kubelet's EnsureImageExists: pulls when the policy says so; resolves with the pull's
 * result, or undefined when the image present was used as is.
 */
export async function ensureImage<Options, Result>(
  store: ImagePuller<Options, Result>,
  image: string,
  policy: PullPolicy,
  opts: Options,
): Promise<Result | undefined> {
  return shouldPull(policy, await store.has(image), image) ? store.pull(image, opts) : undefined;
}
