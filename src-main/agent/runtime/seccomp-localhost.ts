// A Localhost seccomp profile: a JSON file under the node's seccomp root (<state-dir>/seccomp, as
// the kubelet's /var/lib/kubelet/seccomp), named by securityContext.seccompProfile.localhostProfile.
// A missing or unreadable file fails the container (CreateContainerError), never runs it unconfined.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { SeccompProfile } from './seccomp-profile.ts';

export class LocalhostProfileError extends Error {
  readonly reason = 'CreateContainerError';
}

/** The profile's path; like the API's validation, only a path down from the root is accepted. */
export function localhostProfilePath(root: string, name: string | undefined): string {
  if (!name) throw new LocalhostProfileError('seccomp profile type Localhost needs a localhostProfile');
  if (isAbsolute(name) || name.split('/').includes('..')) {
    throw new LocalhostProfileError(`seccomp profile "${name}" must be a relative path without ".."`);
  }
  return join(root, name);
}

export async function readLocalhostProfile(root: string, name: string | undefined): Promise<SeccompProfile> {
  const path = localhostProfilePath(root, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const cause = err.code === 'ENOENT' ? 'no such file or directory' : err.message;
    throw new LocalhostProfileError(`cannot load seccomp profile "${path}": ${cause}`);
  }
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch (e) {
    throw new LocalhostProfileError(`decoding seccomp profile failed "${path}": ${(e as Error).message}`);
  }
  if (typeof profile !== 'object' || profile === null || typeof (profile as SeccompProfile).defaultAction !== 'string') {
    throw new LocalhostProfileError(`decoding seccomp profile failed "${path}": no defaultAction`);
  }
  return profile as SeccompProfile;
}
