// The node's device nodes, which a privileged container gets in its /dev (containerd's
// HostDevices, and docker --privileged): every character and block device under /dev, but not
// the pseudo-terminal, shm, fd and mqueue trees, whose container copies are its own.
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciDevice } from './oci-types.ts';

const skippedDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
const S_IFMT = 0o170000n;
const S_IFCHR = 0o020000n;
const S_IFBLK = 0o060000n;

export async function hostDevices(dir = '/dev'): Promise<OciDevice[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: OciDevice[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skippedDirs.has(e.name)) out.push(...(await hostDevices(path)));
    } else if ((e.isCharacterDevice() || e.isBlockDevice()) && e.name !== 'console') {
      const device = await deviceAt(path);
      if (device) out.push(device);
    }
  }
  return out;
}

/** A device node's numbers and mode; undefined if it went away meanwhile. */
async function deviceAt(path: string): Promise<OciDevice | undefined> {
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!st) return undefined;
  const kind = st.mode & S_IFMT;
  if (kind !== S_IFCHR && kind !== S_IFBLK) return undefined;
  return {
    path, type: kind === S_IFCHR ? 'c' : 'b', major: devMajor(st.rdev), minor: devMinor(st.rdev),
    fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid),
  };
}

/** glibc's gnu_dev_major/minor: 12 bits of major and 20 of minor split around the low byte. */
const devMajor = (rdev: bigint) => Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
const devMinor = (rdev: bigint) => Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
