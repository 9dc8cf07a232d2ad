// Reads a rootfs's /etc/passwd and /etc/group for spec-user, resolving symlinks inside the rootfs
// component by component (an image's link /etc → /x must not read the host's /x).
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { UserDb } from './spec-user.ts';

export async function readUserDb(rootfs: string): Promise<UserDb> {
  const [passwd, group] = await Promise.all([readInRoot(rootfs, '/etc/passwd'), readInRoot(rootfs, '/etc/group')]);
  return { passwd, group };
}

/** The file at `target` inside `root` (links resolved as if root were "/"), or undefined. */
export async function readInRoot(root: string, target: string): Promise<string | undefined> {
  const resolved = await resolveInRoot(root, target);
  if (resolved === undefined) return undefined;
  const host = path.join(root, resolved);
  const st = await lstat(host).catch(() => undefined);
  return st?.isFile() ? readFile(host, 'utf8') : undefined;
}

async function resolveInRoot(root: string, target: string): Promise<string | undefined> {
  const pending = path.posix.normalize(`/${target}`).split('/').filter(Boolean);
  let done = '/';
  // At most 40 links, as the kernel's ELOOP limit.
  for (let links = 0; pending.length > 0;) {
    const next = path.posix.join(done, pending.shift()!);
    const st = await lstat(path.join(root, next)).catch(() => undefined);
    if (!st) return undefined;
    if (!st.isSymbolicLink()) {
      done = next;
      continue;
    }
    if (++links > 40) return undefined;
    const link = await readlink(path.join(root, next));
    // normalize of an absolute path cannot climb above "/", so ".." stays inside root.
    const base = link.startsWith('/') ? '/' : done;
    pending.unshift(...path.posix.normalize(path.posix.join(base, link)).split('/').filter(Boolean));
    done = '/';
  }
  return done;
}
