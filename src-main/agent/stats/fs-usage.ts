// Disk figures for the Summary API and the eviction signals: a file system's capacity and free
// space (statfs, as cAdvisor's fs info), and what a directory tree takes (du: allocated blocks
// and inodes, the way the kubelet measures writable layers, logs and emptyDir volumes).
import { lstat, readdir, statfs } from 'node:fs/promises';
import path from 'node:path';

export interface FsStats {
  availableBytes: number;
  capacityBytes: number;
  usedBytes: number;
  inodesFree: number;
  inodes: number;
  inodesUsed: number;
}

/** The file system holding `dir`; usedBytes is the file system's own use. */
export async function fsStats(dir: string): Promise<FsStats> {
  const s = await statfs(dir);
  return {
    availableBytes: s.bavail * s.bsize,
    capacityBytes: s.blocks * s.bsize,
    usedBytes: (s.blocks - s.bfree) * s.bsize,
    inodesFree: s.ffree,
    inodes: s.files,
    inodesUsed: s.files - s.ffree,
  };
}

/** The device a path lives on: two dirs on one device share a file system (imagefs = nodefs). */
export async function deviceOf(dir: string): Promise<number> {
  return (await lstat(dir)).dev;
}

export interface DirUsage {
  bytes: number;
  inodes: number;
}

/**
 * What a tree takes on its own device (mounts inside it, such as a container's rootfs overlay or
 * a tmpfs volume, are another device and are skipped, as du -x). A missing dir takes nothing.
 */
export async function dirUsage(dir: string): Promise<DirUsage> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top) return { bytes: 0, inodes: 0 };
  const total = { bytes: top.blocks * 512, inodes: 1 };
  if (top.isDirectory()) await walk(dir, top.dev, total);
  return total;
}

async function walk(dir: string, dev: number, total: DirUsage): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const p = path.join(dir, name);
    const st = await lstat(p).catch(() => undefined);
    if (!st || st.dev !== dev) continue;
    total.bytes += st.blocks * 512;
    total.inodes++;
    if (st.isDirectory()) await walk(p, dev, total);
  }
}
