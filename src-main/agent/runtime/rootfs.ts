// A container's root filesystem: an overlay of the image's layers (read-only lowerdirs) and a
// per-container upperdir, mounted at <containerDir>/rootfs for the bundle. Removal unmounts and
// deletes the container's dir, and is idempotent so cleanup after a crash can simply repeat it.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export interface ContainerRootfs {
  /** The merged dir: the bundle's root.path. */
  rootfs: string;
  upperdir: string;
  workdir: string;
}

export function rootfsPaths(containerDir: string): ContainerRootfs {
  return {
    rootfs: path.join(containerDir, 'rootfs'),
    upperdir: path.join(containerDir, 'upper'),
    workdir: path.join(containerDir, 'work'),
  };
}

/** The overlay's mount options; lowerdirs top layer first, as overlayfs reads them. */
export function overlayOptions(lowerdirs: readonly string[], paths: ContainerRootfs): string {
  if (lowerdirs.length === 0) throw new Error('an overlay needs at least one lower dir');
  // ':' separates lowerdirs and ',' options; a path holding either cannot be expressed.
  const bad = [...lowerdirs, paths.upperdir, paths.workdir].find((d) => /[:,]/.test(d));
  if (bad) throw new Error(`overlay path ${bad} contains ':' or ','`);
  return `lowerdir=${lowerdirs.join(':')},upperdir=${paths.upperdir},workdir=${paths.workdir}`;
}

/** Mounts the overlay (again if already mounted is an error: call it once per container). */
export async function mountRootfs(containerDir: string, lowerdirs: readonly string[]): Promise<ContainerRootfs> {
  const paths = rootfsPaths(containerDir);
  const options = overlayOptions(lowerdirs, paths);
  await Promise.all([paths.rootfs, paths.upperdir, paths.workdir].map((d) => mkdir(d, { recursive: true })));
  await run('mount', ['-t', 'overlay', 'overlay', '-o', options, paths.rootfs]);
  return paths;
}

export async function isMounted(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((l) => unescapeMountPath(l.split(' ')[1] ?? '') === dir);
}

/** Unmounts the rootfs if mounted and removes the container's dir; fine when both are gone. */
export async function removeRootfs(containerDir: string): Promise<void> {
  const { rootfs } = rootfsPaths(containerDir);
  while (await isMounted(rootfs)) await run('umount', [rootfs]);
  await rm(containerDir, { recursive: true, force: true });
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}
