// Unpacks one layer blob into its own directory, <root>/layers/<diffID hex>/, ready to be an
// overlayfs lower dir: files, dirs, links, devices with their modes, owners and mtimes; OCI
// whiteouts turned into overlay whiteouts and opaque dirs. The uncompressed stream is hashed on
// the way and must equal the config's diffID; the dir appears (by rename) only when it does.
// No entry may land outside the layer dir: `..` beyond the root and paths through a symlink
// are refused (symlink *targets* may point anywhere — they resolve inside the container).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, link, lchown, lstat, lutimes, mkdir, open, rename, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ImageError } from './image-error.ts';
import type { LayerCompression } from './manifest.ts';
import { makeWhiteout, markOpaque, mknod } from './overlay-marks.ts';
import { readTar, type TarEntry } from './tar-reader.ts';

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

export interface UnpackOptions {
  compression: LayerCompression;
  /** `sha256:<hex>` of the uncompressed tar, from the image config's rootfs.diff_ids. */
  diffID: string;
}

/** Unpacks `blobPath` into `dest` (which must not exist yet); throws ImageError on failure. */
export async function unpackLayer(blobPath: string, dest: string, opts: UnpackOptions): Promise<void> {
  const tmp = `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(tmp, { recursive: true, mode: 0o755 });
  try {
    const actual = await extract(decompress(blobPath, opts.compression), tmp);
    if (actual !== opts.diffID) {
      throw new Error(`diffID mismatch: the image config says ${opts.diffID}, the layer is ${actual}`);
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    const message = err instanceof Error ? err.message : String(err);
    throw new ImageError('ErrImagePull', `unpacking layer ${opts.diffID}: ${message}`);
  }
}

/** The file's bytes uncompressed (also an image archive's, see archive-files.ts). */
export function decompress(blobPath: string, compression: LayerCompression): Readable {
  const file = createReadStream(blobPath);
  if (compression === 'none') return file;
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    file.on('error', (err) => gunzip.destroy(err));
    return file.pipe(gunzip);
  }
  // Node 18/20 have no zstd; the zstd command (Debian's zstd package) does it when present.
  const child = spawn('zstd', ['-d', '-c', '-q', blobPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'unsupported media type tar+zstd: the zstd command is not installed' : err.message;
    child.stdout.destroy(new Error(why));
  });
  child.on('exit', (code) => {
    if (code !== 0) child.stdout.destroy(new Error(`zstd -d failed (exit ${code}): ${stderr.trim()}`));
  });
  return child.stdout;
}

/** Extracts every entry, returns the sha256 diffID of the whole uncompressed stream. */
async function extract(stream: Readable, root: string): Promise<string> {
  const hash = createHash('sha256');
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  }
  const source = hashed();
  const layer = new LayerWriter(root);
  try {
    for await (const entry of readTar({ [Symbol.asyncIterator]: () => source })) await layer.write(entry);
    // readTar stops at the end-of-archive blocks; the rest (padding) still counts for the diffID.
    for await (const _ of source) void _;
  } finally {
    stream.destroy();
  }
  await layer.finish();
  return `sha256:${hash.digest('hex')}`;
}

/** Lexically resolves a tar path inside the layer: components, or an error when it escapes. */
export function layerPath(entryPath: string): string[] {
  const parts: string[] = [];
  for (const part of entryPath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new Error(`entry ${JSON.stringify(entryPath)} escapes the layer`);
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts;
}

class LayerWriter {
  private readonly checkedDirs = new Set<string>(['']);
  private readonly dirTimes: { path: string; mtime: Date }[] = [];
  private readonly asRoot = process.getuid?.() === 0;

  constructor(private readonly root: string) {}

  async write(entry: TarEntry): Promise<void> {
    const parts = layerPath(entry.path);
    const name = parts[parts.length - 1] ?? '';
    const parent = parts.slice(0, -1);
    if (parts.length === 0) {
      if (entry.type === 'directory') await this.setMeta(this.root, entry);
      return;
    }
    await this.ensureDir(parent, entry.path);
    const parentPath = join(this.root, ...parent);
    if (name === opaqueMarker) return markOpaque(parentPath);
    if (name.startsWith(`${whiteoutPrefix}${whiteoutPrefix}`)) return; // other AUFS metadata
    if (name.startsWith(whiteoutPrefix)) {
      const hidden = join(parentPath, name.slice(whiteoutPrefix.length));
      await this.clear(hidden, [...parent, name.slice(whiteoutPrefix.length)].join('/'));
      return makeWhiteout(hidden);
    }
    const path = join(parentPath, name);
    const rel = parts.join('/');
    if (entry.type === 'directory') return this.writeDir(path, rel, entry);
    await this.clear(path, rel);
    await this.create(path, entry);
    if (entry.type !== 'hardlink') await this.setMeta(path, entry);
  }

  private async create(path: string, entry: TarEntry): Promise<void> {
    switch (entry.type) {
      case 'file': {
        const fh = await open(path, 'wx', 0o600);
        try {
          for await (const chunk of entry.body()) await fh.write(chunk);
        } finally {
          await fh.close();
        }
        return;
      }
      case 'symlink':
        return symlink(entry.linkpath, path);
      case 'hardlink': {
        const target = layerPath(entry.linkpath);
        await this.ensureDir(target.slice(0, -1), entry.linkpath, false);
        const targetPath = join(this.root, ...target);
        const st = await lstat(targetPath).catch(() => undefined);
        if (!st || st.isDirectory()) {
          throw new Error(`hardlink ${entry.path} → ${entry.linkpath}: target is not a file earlier in this layer`);
        }
        return link(targetPath, path);
      }
      case 'char':
      case 'block':
        return mknod(path, entry.type === 'char' ? 'c' : 'b', entry.devmajor, entry.devminor);
      case 'fifo':
        return mknod(path, 'p');
      case 'directory':
        return;
    }
  }

  private async writeDir(path: string, rel: string, entry: TarEntry): Promise<void> {
    const st = await lstat(path).catch(() => undefined);
    if (st && !st.isDirectory()) await this.clear(path, rel);
    if (!st?.isDirectory()) await mkdir(path, { mode: 0o755 });
    this.checkedDirs.add(rel);
    await this.setMeta(path, entry);
  }

  /** Owner, mode (after chown, which clears setuid bits), mtime; dirs' mtimes at the end. */
  private async setMeta(path: string, entry: TarEntry): Promise<void> {
    if (this.asRoot) await lchown(path, entry.uid, entry.gid);
    if (entry.type === 'symlink') return lutimes(path, entry.mtime, entry.mtime);
    await chmod(path, entry.mode & 0o7777);
    if (entry.type === 'directory') this.dirTimes.push({ path, mtime: entry.mtime });
    else await utimes(path, entry.mtime, entry.mtime);
  }

  /** Makes sure every parent is a real directory inside the layer (never a symlink). */
  private async ensureDir(parts: string[], entryPath: string, create = true): Promise<void> {
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.checkedDirs.has(rel)) continue;
      const path = join(this.root, ...parts.slice(0, i));
      const st = await lstat(path).catch(() => undefined);
      if (st?.isSymbolicLink()) throw new Error(`entry ${JSON.stringify(entryPath)} goes through the symlink ${rel}`);
      if (st && !st.isDirectory()) throw new Error(`entry ${JSON.stringify(entryPath)}: ${rel} is not a directory`);
      if (!st) {
        if (!create) throw new Error(`entry ${JSON.stringify(entryPath)}: ${rel} does not exist`);
        await mkdir(path, { mode: 0o755 });
      }
      this.checkedDirs.add(rel);
    }
  }

  /** Removes what a later entry replaces (tar's last-one-wins), forgetting checked dirs below. */
  private async clear(path: string, rel: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
    for (const dir of this.checkedDirs) if (dir === rel || dir.startsWith(`${rel}/`)) this.checkedDirs.delete(dir);
  }

  async finish(): Promise<void> {
    for (const { path, mtime } of this.dirTimes.reverse()) await utimes(path, mtime, mtime);
  }
}
