// The write-ahead log: numbered segment files of framed records (record-codec.ts). A write is
// acknowledged only after its record is on disk (fdatasync). Writes that arrive while a sync is
// in flight wait and go to disk together in the next one (group commit): with 32 concurrent
// writers each sync carries about 32 records, which is what makes durable writes fast. Every
// segment is also a DataFile that stored values are read back from.
import { closeSync, fdatasync, ftruncateSync, fsyncSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWalEntry } from './record-codec.ts';
import type { LoggedEntry } from './record-codec.ts';
import { readRecords } from './record-reader.ts';
import { fsyncDir } from './fsync-dir.ts';
import type { DataFile, DataFiles } from './data-file.ts';

const SEGMENT_RE = /^wal-(\d{16})\.log$/;

export function segmentName(seq: number): string {
  return `wal-${String(seq).padStart(16, '0')}.log`;
}

/** The segment numbers in dir, ascending. */
export function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SEGMENT_RE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** Told where a record landed once it is durable: its segment and the record's offset there. */
export type OnPlaced = (file: DataFile, offset: number) => void;

interface Queued {
  record: Buffer;
  placed: OnPlaced | undefined;
}

export interface WalOpenOptions {
  dir: string;
  files: DataFiles;
  log: (line: string) => void;
  /** Called for every record, oldest first, while opening, with its segment and offset there. */
  onEntry: (entry: LoggedEntry, segment: number, file: DataFile, offset: number) => void;
  /** Called after each sync with the highest revision now durable (before writers hear of it). */
  onDurable: (revision: number) => void;
}

export class WriteAheadLog {
  private fd: number;
  private seq: number;
  private position: number;
  private queue: Queued[] = [];
  private queueBytes = 0;
  private waiters: Waiter[] = [];
  private queuedRevision = 0;
  private flushing = false;
  private rotation: ((revision: number, seq: number) => void) | undefined;
  private idle: (() => void)[] = [];
  private failure: Error | undefined;
  private closed = false;
  private durableRevision = 0;
  /** Bytes written since the last rotation (the snapshot trigger). */
  bytesSinceRotation = 0;

  private constructor(
    private readonly dir: string,
    private readonly files: DataFiles,
    /** The readable side of every segment still on disk. */
    private readonly segments: Map<number, DataFile>,
    private readonly onDurable: (revision: number) => void,
    seq: number,
    position: number,
  ) {
    this.seq = seq;
    this.position = position;
    const path = join(dir, segmentName(seq));
    this.fd = openSync(path, position === 0 ? 'w' : 'r+');
    if (!segments.has(seq)) segments.set(seq, files.open(path));
  }

  /** Replays every segment in dir, cuts a torn tail off the last one, and opens it for appending. */
  static open(options: WalOpenOptions): WriteAheadLog {
    const { dir, log } = options;
    const segments = listSegments(dir);
    const files = new Map<number, DataFile>();
    let lastSize = 0;
    segments.forEach((seq, i) => {
      const path = join(dir, segmentName(seq));
      const file = options.files.open(path);
      files.set(seq, file);
      const outcome = readRecords(path, (payload, offset) => options.onEntry(decodeWalEntry(payload), seq, file, offset));
      if (!outcome.problem) {
        lastSize = outcome.validBytes;
        return;
      }
      if (i < segments.length - 1) {
        // Crashes only tear the newest segment (older ones were synced before the next began), so
        // this is damage to acknowledged data: refuse rather than silently drop what follows.
        throw new Error(
          `store: corrupt log record inside ${path}:${outcome.validBytes}, which is not the newest segment; ` +
            'refusing to start (move the data folder aside to start empty)',
        );
      }
      const cut = outcome.fileBytes - outcome.validBytes;
      log(`store: cut corrupt log tail at ${path}:${outcome.validBytes} (${cut} bytes)`);
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, outcome.validBytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      lastSize = outcome.validBytes;
    });
    const seq = segments.length > 0 ? segments[segments.length - 1] : 1;
    const wal = new WriteAheadLog(dir, options.files, files, options.onDurable, seq, segments.length > 0 ? lastSize : 0);
    if (segments.length === 0) fsyncDir(dir);
    return wal;
  }

  /** The segment new records go to. */
  get currentSegment(): number {
    return this.seq;
  }

  /**
   * Queues a framed record; resolves once it (and every record before it) is on disk. placed
   * hears where it is, before that.
   */
  append(record: Buffer, revision: number, placed?: OnPlaced): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('store: the log is closed'));
    this.queue.push({ record, placed });
    this.queueBytes += record.length;
    if (revision > this.queuedRevision) this.queuedRevision = revision;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /**
   * Starts a new segment between two syncs, so that every record up to some revision is in the
   * older segments; calls onRotated with that revision and the new segment's number.
   */
  rotate(onRotated: (revision: number, seq: number) => void): void {
    this.rotation = onRotated;
    this.kick();
  }

  /** The segments numbered below seq. */
  segmentsBefore(seq: number): DataFile[] {
    return [...this.segments].filter(([s]) => s < seq).map(([, file]) => file);
  }

  /** Retires the segments numbered below seq (their records are all in a snapshot). */
  removeSegmentsBefore(seq: number): void {
    for (const [s, file] of this.segments) {
      if (s >= seq) continue;
      file.retire();
      this.segments.delete(s);
    }
  }

  /** Waits until everything queued is on disk, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushing) await new Promise<void>((resolve) => this.idle.push(resolve));
    closeSync(this.fd);
  }

  private kick(): void {
    if (!this.flushing) void this.flushLoop();
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    while (!this.failure && (this.queue.length > 0 || this.rotation)) {
      if (this.rotation) {
        const onRotated = this.rotation;
        this.rotation = undefined;
        try {
          this.startSegment();
        } catch (err) {
          this.fail(err as Error);
          break;
        }
        onRotated(this.durableRevision, this.seq);
        continue;
      }
      const queued = this.queue;
      const batch = queued.length === 1 ? queued[0].record : Buffer.concat(queued.map((q) => q.record), this.queueBytes);
      const waiters = this.waiters;
      const revision = this.queuedRevision;
      this.queue = [];
      this.queueBytes = 0;
      this.waiters = [];
      try {
        // The write itself only copies into the page cache (microseconds); the sync is the slow
        // part and runs on libuv's thread pool while new writes queue up behind it.
        for (let off = 0; off < batch.length; ) off += writeSync(this.fd, batch, off, batch.length - off, this.position + off);
        await new Promise<void>((resolve, reject) => fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
      } catch (err) {
        // These writes are refused, so they must not come back after a restart either: cut off
        // whatever part of the batch reached the file (best effort; the disk is failing).
        try {
          ftruncateSync(this.fd, this.position);
          fsyncSync(this.fd);
        } catch {
          // nothing more we can do; recovery will cut a torn tail if there is one
        }
        this.fail(err as Error, waiters);
        break;
      }
      this.place(queued);
      this.position += batch.length;
      this.bytesSinceRotation += batch.length;
      if (revision > this.durableRevision) this.durableRevision = revision;
      this.onDurable(this.durableRevision);
      for (const w of waiters) w.resolve();
    }
    this.flushing = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Tells each record of a batch just written at this.position where it is. */
  private place(queued: Queued[]): void {
    const file = this.segments.get(this.seq)!;
    let offset = this.position;
    for (const q of queued) {
      q.placed?.(file, offset);
      offset += q.record.length;
    }
  }

  private startSegment(): void {
    const next = this.seq + 1;
    const path = join(this.dir, segmentName(next));
    const fd = openSync(path, 'wx');
    fsyncDir(this.dir);
    this.segments.set(next, this.files.open(path));
    closeSync(this.fd);
    this.fd = fd;
    this.seq = next;
    this.position = 0;
    this.bytesSinceRotation = 0;
  }

  /** A failed write or sync leaves the file in an unknown state: refuse everything after it. */
  private fail(err: Error, inFlight: Waiter[] = []): void {
    this.failure = new Error(`store: writing the log failed, the store is stopped: ${err.message}`);
    for (const w of [...inFlight, ...this.waiters]) w.reject(this.failure);
    this.waiters = [];
    this.queue = [];
  }

  /** The error that stopped the log, if one did. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Sets the revision already durable when the log opens (the last replayed record's). */
  setDurableRevision(revision: number): void {
    this.durableRevision = revision;
  }
}
