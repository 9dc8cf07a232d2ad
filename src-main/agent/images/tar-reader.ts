// A streaming tar reader (ustar, with PAX extended headers and GNU long names, which image
// builders emit), yielding one entry at a time so that the unpacker can do its async file
// work — mknod, xattrs, chown — in archive order, with the archive read only as fast as that.
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkpath: string;
  devmajor: number;
  devminor: number;
  /** The entry's data; read it (or not) before asking for the next entry. */
  body(): AsyncGenerator<Buffer>;
}

const block = 512;
const typeFlags: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

/** Exact-length reads over an async stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `max` bytes (at least one), or null at the end of the stream. */
  async readSome(max: number): Promise<Buffer | null> {
    if (this.length === 0) {
      const next = await this.source.next();
      if (next.done) return null;
      this.buffered.push(next.value);
      this.length += next.value.length;
    }
    const head = this.buffered[0] as Buffer;
    const taken = head.subarray(0, max);
    if (taken.length === head.length) this.buffered.shift();
    else this.buffered[0] = head.subarray(taken.length);
    this.length -= taken.length;
    return taken;
  }

  async readExact(n: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const part = await this.readSome(n - got);
      if (!part) {
        if (got === 0) return null;
        throw new Error('tar archive truncated');
      }
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const part = await this.readSome(left);
      if (!part) throw new Error('tar archive truncated');
      left -= part.length;
    }
  }
}

function text(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** Octal, or GNU base-256 (high bit set) for values too big for the octal field. */
function numeric(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  if ((field[0] ?? 0) & 0x80) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const digits = text(buf, start, len).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

function checksumOK(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === numeric(header, 148, 8);
}

/** PAX records: "<len> key=value\n" repeated. */
function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (space < 0 || !Number.isFinite(len) || len <= 0) throw new Error('malformed PAX header');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return records;
}

/** Yields the archive's entries; the stream after the end-of-archive blocks is left unread. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  let globalPax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const header = await reader.readExact(block);
    if (!header || header.every((b) => b === 0)) return;
    if (!checksumOK(header)) throw new Error('tar header checksum mismatch');
    const flag = String.fromCharCode(header[156] ?? 0);
    let size = numeric(header, 124, 12);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = ((await reader.readExact(Math.ceil(size / block) * block)) ?? Buffer.alloc(0)).subarray(0, size);
      if (flag === 'x') pax = parsePax(data);
      else if (flag === 'g') globalPax = { ...globalPax, ...parsePax(data) };
      else if (flag === 'L') longName = text(data, 0, data.length);
      else longLink = text(data, 0, data.length);
      continue;
    }
    const ext = { ...globalPax, ...pax };
    const prefix = text(header, 345, 155);
    const name = text(header, 0, 100);
    const type = typeFlags[flag];
    if (ext.size !== undefined) size = Number(ext.size);
    const padded = Math.ceil(size / block) * block;
    const entry: Omit<TarEntry, 'body'> = {
      path: ext.path ?? longName ?? (prefix && text(header, 257, 6) === 'ustar' ? `${prefix}/${name}` : name),
      type: type ?? 'file',
      mode: numeric(header, 100, 8),
      uid: ext.uid !== undefined ? Number(ext.uid) : numeric(header, 108, 8),
      gid: ext.gid !== undefined ? Number(ext.gid) : numeric(header, 116, 8),
      size: type === 'file' ? size : 0,
      mtime: new Date((ext.mtime !== undefined ? Number(ext.mtime) : numeric(header, 136, 12)) * 1000),
      linkpath: ext.linkpath ?? longLink ?? text(header, 157, 100),
      devmajor: numeric(header, 329, 8),
      devminor: numeric(header, 337, 8),
    };
    pax = {};
    longName = undefined;
    longLink = undefined;
    if (!type) throw new Error(`unsupported tar entry type ${JSON.stringify(flag)} for ${entry.path}`);
    const dataBytes = type === 'file' ? size : 0;
    let consumed = 0;
    async function* body(): AsyncGenerator<Buffer> {
      while (consumed < dataBytes) {
        const part = await reader.readSome(dataBytes - consumed);
        if (!part) throw new Error('tar archive truncated');
        consumed += part.length;
        yield part;
      }
    }
    yield { ...entry, body };
    // Skip what the consumer left unread, and the padding to the next block.
    await reader.skip(padded - consumed);
  }
}
