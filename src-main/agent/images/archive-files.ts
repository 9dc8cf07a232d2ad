// An image archive (`docker save` output or an OCI image layout in a tar; plain, gzip or zstd)
// unpacked into a staging folder as numbered files, its own paths kept in a map: nothing an
// archive names becomes a path on the node, so no entry can land outside the folder. docker
// save's legacy layout links a repeated layer to its first copy with a symlink; links resolve
// inside the archive only.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { LayerCompression } from './manifest.ts';
import { readTar } from './tar-reader.ts';
import { decompress, layerPath } from './unpack.ts';

const MAX_LINK_HOPS = 8;
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** How a file is compressed, from its first bytes (archives are named anyhow). */
export async function sniffCompression(path: string): Promise<LayerCompression> {
  const fh = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

/** The sha256 digest and size of a file, read as a stream. */
export async function fileDigest(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

export class ArchiveFiles {
  private constructor(
    private readonly files: Map<string, string>,
    private readonly links: Map<string, string>,
  ) {}

  /** Reads the whole archive into `stagingDir` (created; the caller removes it). */
  static async extract(archive: string, stagingDir: string): Promise<ArchiveFiles> {
    await mkdir(stagingDir, { recursive: true, mode: 0o700 });
    const files = new Map<string, string>();
    const links = new Map<string, string>();
    const stream = decompress(archive, await sniffCompression(archive));
    try {
      for await (const entry of readTar(stream)) {
        const name = layerPath(entry.path).join('/');
        if (entry.type === 'file') {
          const staged = join(stagingDir, String(files.size));
          const fh = await open(staged, 'wx', 0o600);
          try {
            for await (const chunk of entry.body()) await fh.write(chunk);
          } finally {
            await fh.close();
          }
          files.set(name, staged);
        } else if (entry.type === 'symlink') {
          links.set(name, posix.join(posix.dirname(name), entry.linkpath));
        } else if (entry.type === 'hardlink') {
          links.set(name, entry.linkpath);
        } else if (entry.type !== 'directory') {
          throw new Error(`${entry.path}: a ${entry.type} has no place in an image archive`);
        }
      }
    } finally {
      stream.destroy();
    }
    return new ArchiveFiles(files, links);
  }

  /** The staged file an archive path names (through links), or undefined. */
  path(name: string): string | undefined {
    let current = layerPath(name).join('/');
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const file = this.files.get(current);
      if (file) return file;
      const target = this.links.get(current);
      if (target === undefined) return undefined;
      current = layerPath(target).join('/');
    }
    throw new Error(`${name}: too many links`);
  }

  has(name: string): boolean {
    return this.path(name) !== undefined;
  }

  /** A small document (manifest.json, index.json, a manifest or config), read whole. */
  async read(name: string): Promise<Buffer> {
    const file = this.path(name);
    if (!file) throw new Error(`the archive has no ${name}`);
    if ((await stat(file)).size > MAX_DOCUMENT_BYTES) throw new Error(`${name} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    return readFile(file);
  }

  async readJSON<T>(name: string): Promise<T> {
    const body = await this.read(name);
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch (e) {
      throw new Error(`${name} is not JSON: ${(e as Error).message}`);
    }
  }
}
