// The server side of SPDY/3.1 as Kubernetes speaks it (kubectl's exec, attach and port-forward,
// after an HTTP upgrade, or tunnelled inside a WebSocket): the client opens every stream, each a
// SYN_STREAM whose headers say what the stream is for (streamType, port, requestID; no :method
// or :path, so an HTTP-minded SPDY library does not fit). The server replies to each at once and
// then only moves bytes: DATA frames, FIN as a half-close, RST to drop, PING echoed, GOAWAY at
// the end. Header blocks are one zlib stream per direction, primed with the SPDY dictionary: the
// client's is inflated in order (frames wait behind a SYN_STREAM being inflated); ours are stored
// (uncompressed) deflate blocks, written synchronously, which any inflater reads. The client's Go
// framer does no flow control, so neither side sends WINDOW_UPDATEs.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.ts';

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
const RST_CANCEL = 5;
/** DATA frames sent carry at most this much (the length field allows 16 MiB). */
const MAX_DATA = 32 * 1024;

/** adler32, the zlib header's id of the dictionary. */
function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The zlib header of our header stream: deflate, 32K window, FDICT, and the dictionary's id. */
const ZLIB_HEADER = (() => {
  const h = Buffer.from([0x78, 0x20, 0, 0, 0, 0]); // (0x78 << 8 | 0x20) % 31 === 0, as the header check wants
  h.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
  return h;
})();

/**
 * One non-final stored deflate block (BFINAL 0, BTYPE 00, then LEN and its complement), and an
 * empty one after it as zlib's sync flush ends: Go's inflater hands out a block's bytes only
 * once it read the next block's header, which must be inside the same frame.
 */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data, Buffer.from([0, 0, 0, 0xff, 0xff])]);
}

/** One client-opened stream: its headers (names lowercase), and its bytes both ways. */
export class SpdyStream extends Duplex {
  constructor(readonly id: number, readonly headers: Record<string, string>, private readonly conn: SpdyConnection) {
    super({ allowHalfOpen: true });
    // Ended both ways: the connection forgets it (a long port-forward opens many).
    const ended = (): void => {
      if (this.writableFinished && this.readableEnded) this.conn.forget(this.id, false);
    };
    this.on('end', ended).on('finish', ended);
  }

  override _read(): void {
    // No flow control: data is pushed as frames arrive.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    let flowing = true;
    for (let off = 0; off < chunk.length; off += MAX_DATA) flowing = this.conn.sendData(this.id, chunk.subarray(off, off + MAX_DATA), false);
    // The transport's backpressure is the stream's: a slow client slows the writer down.
    if (flowing) cb();
    else this.conn.onDrain(() => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.conn.sendData(this.id, Buffer.alloc(0), true);
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.conn.forget(this.id, !this.writableFinished || !this.readableEnded);
    cb(err);
  }
}

export interface SpdyConnection {
  on(event: 'stream', listener: (stream: SpdyStream) => void): this;
  on(event: 'close', listener: () => void): this;
}

export class SpdyConnection extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = zlib.createInflate({ dictionary: SPDY_DICTIONARY });
  private headerSent = false;
  private pending: Buffer = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private pumping = false;
  private lastStreamId = 0;
  private closed = false;

  constructor(private readonly transport: Duplex, head: Buffer = Buffer.alloc(0)) {
    super();
    transport.on('data', (d: Buffer) => this.receive(d));
    transport.on('error', () => this.teardown());
    transport.on('close', () => this.teardown());
    transport.on('end', () => this.teardown());
    if (head.length > 0) queueMicrotask(() => this.receive(head));
  }

  /** GOAWAY, then the transport ends; streams still open are reset. */
  close(): void {
    if (this.closed) return;
    const body = Buffer.alloc(8);
    body.writeUInt32BE(this.lastStreamId, 0);
    this.sendControl(GOAWAY, 0, body);
    this.transport.end();
    this.teardown();
  }

  /** Queues a DATA frame; false when the transport wants the writer to wait for onDrain. */
  sendData(id: number, data: Buffer, fin: boolean): boolean {
    if (this.closed) return true;
    const frame = Buffer.alloc(8 + data.length);
    frame.writeUInt32BE(id & 0x7fffffff, 0);
    frame.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
    data.copy(frame, 8);
    return this.transport.write(frame);
  }

  /** Calls back once the transport drained, or at once when the connection is gone. */
  onDrain(cb: () => void): void {
    if (this.closed) return cb();
    const done = (): void => {
      this.transport.off('drain', done);
      this.off('close', done);
      cb();
    };
    this.transport.on('drain', done);
    this.on('close', done);
  }

  /** A stream done with: forgotten, and reset when it had not ended both ways. */
  forget(id: number, reset: boolean): void {
    if (!this.streams.delete(id) || !reset) return;
    const body = Buffer.alloc(8);
    body.writeUInt32BE(id, 0);
    body.writeUInt32BE(RST_CANCEL, 4);
    this.sendControl(RST_STREAM, 0, body);
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.push(null);
      s.destroy();
    }
    this.streams.clear();
    this.inflate.close();
    this.emit('close');
  }

  private receive(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    while (!this.closed && this.pending.length >= 8) {
      const length = this.pending.readUInt32BE(4) & 0xffffff;
      if (this.pending.length < 8 + length) return;
      this.frames.push(this.pending.subarray(0, 8 + length));
      this.pending = this.pending.subarray(8 + length);
    }
    void this.pump();
  }

  /** Frames one at a time, in order, waiting only for the inflation of a SYN_STREAM's headers. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    while (!this.closed && this.frames.length > 0) {
      try {
        const pending = this.frame(this.frames.shift()!);
        if (pending) await pending;
      } catch {
        this.close(); // a broken header block or frame: the connection cannot go on
      }
    }
    this.pumping = false;
  }

  private frame(f: Buffer): Promise<void> | undefined {
    const flags = f[4]!;
    const body = f.subarray(8);
    if ((f[0]! & 0x80) === 0) {
      const stream = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!stream) return;
      if (body.length > 0) stream.push(Buffer.from(body));
      if (flags & FLAG_FIN) stream.push(null);
      return undefined;
    }
    const type = f.readUInt16BE(2);
    if (type === SYN_STREAM) return this.synStream(body, flags);
    else if (type === RST_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      this.streams.delete(id); // reset by the client: no RST back
      stream?.destroy();
    }
    else if (type === PING) this.sendControl(PING, 0, body);
    else if (type === GOAWAY) this.close();
    // SETTINGS, HEADERS, WINDOW_UPDATE, SYN_REPLY: nothing to do for a server without flow control.
    return undefined;
  }

  /** The next header block of the client's zlib stream (which the engine keeps across blocks). */
  private inflateBlock(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (d: Buffer): void => void chunks.push(d);
      this.inflate.on('data', onData).once('error', reject);
      this.inflate.write(block);
      this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.inflate.off('data', onData).off('error', reject);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  /** Our header blocks: the zlib header once, then each block stored. */
  private headerBlock(headers: Record<string, string>): Buffer {
    const block = storedBlock(encodeHeaders(headers));
    if (this.headerSent) return block;
    this.headerSent = true;
    return Buffer.concat([ZLIB_HEADER, block]);
  }

  private async synStream(body: Buffer, flags: number): Promise<void> {
    const id = body.readUInt32BE(0) & 0x7fffffff;
    const headers = decodeHeaders(await this.inflateBlock(Buffer.from(body.subarray(10))));
    if (this.closed) return;
    this.lastStreamId = Math.max(this.lastStreamId, id);
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    const reply = Buffer.alloc(4);
    reply.writeUInt32BE(id, 0);
    this.sendControl(SYN_REPLY, 0, Buffer.concat([reply, this.headerBlock({})]));
    if (flags & FLAG_FIN) stream.push(null);
    this.emit('stream', stream);
  }

  private sendControl(type: number, flags: number, body: Buffer): void {
    if (this.closed) return;
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8000 | VERSION, 0);
    head.writeUInt16BE(type, 2);
    head.writeUInt32BE((flags << 24) | body.length, 4);
    this.transport.write(Buffer.concat([head, body]));
  }
}

/** A SPDY/3 header block: a count, then length-prefixed names and values. */
function decodeHeaders(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let off = 4;
  const count = block.readUInt32BE(0);
  const next = (): string => {
    const len = block.readUInt32BE(off);
    const s = block.toString('utf8', off + 4, off + 4 + len);
    off += 4 + len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = next().toLowerCase();
    headers[name] = next();
  }
  return headers;
}

function encodeHeaders(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(Object.keys(headers).length, 0);
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k, v]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length, 0);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}
