// WalStore: the embedded Store. Keys and metadata live in memory (key-space.ts); every change is a
// record in the write-ahead log (wal.ts), synced before the write's promise resolves; snapshots
// (snapshot.ts) bound the log so restarts stay fast. Values are read back from the log segments
// and snapshots they were written to (data-file.ts), so memory holds keys, not values. Writes
// are validated and given their revision synchronously, against the latest state (including
// writes still waiting for their sync), so the log order is the commit order and concurrent
// compare-and-swaps are linearizable. Readers and watchers only see the durable revision:
// nothing a crash could undo.
import { mkdirSync } from 'node:fs';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.ts';
import type { KeyValue, RangeOptions, RangeResult, Store, Watch, WatchCallbacks } from './store.ts';
import { encodeCompact, encodeDelete, encodePut, FRAME_HEADER_BYTES, RecordOp } from './record-codec.ts';
import type { LoggedEntry } from './record-codec.ts';
import { KeySpace } from './key-space.ts';
import type { StoredEvent } from './key-space.ts';
import { History } from './history.ts';
import { DataFiles } from './data-file.ts';
import type { DataFile } from './data-file.ts';
import { StoredKeyValue } from './stored-key-value.ts';
import type { Snapshot } from './snapshot.ts';
import { listSnapshots, readSnapshot, removeSnapshotsBefore, snapshotPath, writeSnapshot } from './snapshot.ts';
import { ValueRef } from './value-ref.ts';
import { lockDir } from './lock.ts';
import type { DirLock } from './lock.ts';
import { WriteAheadLog } from './wal.ts';
import type { OnPlaced } from './wal.ts';
import { Watchers } from './watchers.ts';

export interface WalStoreOptions {
  /** The folder for the log, snapshots and lock (created if missing). */
  dir: string;
  /** Where to report recovery and snapshot problems, one line each. */
  log?: (line: string) => void;
  /** Events kept for watches and older reads (default 20,000). */
  historyLimit?: number;
  /** Log bytes after which a snapshot is written and older log dropped (default 64 MiB). */
  snapshotLogBytes?: number;
}

const DEFAULT_HISTORY = 20_000;
const DEFAULT_SNAPSHOT_LOG_BYTES = 64 * 1024 * 1024;

export async function openWalStore(options: WalStoreOptions): Promise<WalStore> {
  mkdirSync(options.dir, { recursive: true });
  const lock = lockDir(options.dir);
  const files = new DataFiles();
  try {
    return new WalStore(options, lock, files);
  } catch (err) {
    files.closeAll();
    lock.release();
    throw err;
  }
}

export class WalStore implements Store {
  private readonly space: KeySpace;
  private readonly history: History<StoredEvent>;
  private readonly watchers: Watchers;
  private readonly wal: WriteAheadLog;
  /** The newest snapshot's file, which the values it holds are read from. */
  private snapshotFile: DataFile | undefined;
  private readonly log: (line: string) => void;
  private readonly snapshotLogBytes: number;
  /** The last revision handed to a write. */
  private sequenced = 0;
  /** The last revision on disk. */
  private durable = 0;
  /** Writers waiting for a revision to become durable before they answer (errors, compaction). */
  private durableWaiters: { revision: number; resolve: () => void }[] = [];
  private snapshotting: Promise<void> | undefined;
  private closed = false;

  /** Use openWalStore. */
  constructor(
    private readonly options: WalStoreOptions,
    private readonly lock: DirLock,
    private readonly files: DataFiles,
  ) {
    const { dir } = options;
    this.log = options.log ?? ((line) => console.error(line));
    this.snapshotLogBytes = options.snapshotLogBytes ?? DEFAULT_SNAPSHOT_LOG_BYTES;
    const snapshot = this.openLatestSnapshot();
    this.history = new History<StoredEvent>(snapshot?.revision ?? 0, options.historyLimit ?? DEFAULT_HISTORY);
    this.space = new KeySpace(this.history);
    if (snapshot) {
      this.space.load(snapshot.kvs);
      this.sequenced = snapshot.revision;
    }
    let firstNeededSegment = Infinity;
    this.wal = WriteAheadLog.open({
      dir,
      files: this.files,
      log: this.log,
      onEntry: (entry, segment, file, offset) => {
        if (this.replay(entry, file, offset)) firstNeededSegment = Math.min(firstNeededSegment, segment);
      },
      onDurable: (revision) => this.onDurable(revision),
    });
    this.durable = this.sequenced;
    this.wal.setDurableRevision(this.durable);
    this.history.enforceLimit(this.durable);
    // Segments wholly inside the snapshot are left over from a crash right after it was written.
    if (snapshot) this.wal.removeSegmentsBefore(Math.min(firstNeededSegment, this.wal.currentSegment));
    this.watchers = new Watchers(this.history, () => this.durable);
  }

  revision(): number {
    return this.durable;
  }

  compactedRevision(): number {
    return this.history.start;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    return this.sequenced === this.durable ? this.space.kvs.get(key) : this.space.getAt(key, this.durable);
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    this.assertOpen();
    const revision = options.revision || this.durable;
    if (revision > this.durable) {
      throw new Error(`store: revision ${revision} is a future revision (current ${this.durable})`);
    }
    if (revision < this.history.start) throw new CompactedError(revision, this.history.start);
    return this.space.rangeAt(options.prefix, revision, options.startAfter, options.limit ?? 0, options.countOnly);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.assertOpen();
    const current = this.space.kvs.get(key);
    if (current) return this.refuse(new KeyExistsError(key, current));
    const revision = ++this.sequenced;
    return this.put(key, value, revision, revision, 1);
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    this.assertOpen();
    const current = this.space.kvs.get(key);
    if (!current) return this.refuse(new KeyNotFoundError(key));
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      return this.refuse(new ConflictError(key, current));
    }
    const revision = ++this.sequenced;
    return this.put(key, value, current.createRevision, revision, current.version + 1);
  }

  /**
   * Applies a put at a revision just sequenced and logs it. Until its record is on disk the value
   * is read from the record itself; from then on, from the log.
   */
  private async put(key: string, value: string, createRevision: number, revision: number, version: number): Promise<KeyValue> {
    const { record, valueStart, valueLength } = encodePut(key, value, createRevision, revision, version);
    const ref = ValueRef.inMemory(record.subarray(valueStart, valueStart + valueLength));
    const kv = new StoredKeyValue(key, ref, createRevision, revision, version);
    this.space.put(kv);
    await this.append(record, revision, (file, offset) => ref.placeIn(file, offset + valueStart));
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.assertOpen();
    const current = this.space.kvs.get(key);
    if (!current) return this.refuse(new KeyNotFoundError(key));
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      return this.refuse(new ConflictError(key, current));
    }
    const revision = ++this.sequenced;
    const event = this.space.delete(key, revision)!;
    await this.append(encodeDelete(key, revision), revision);
    return event.kv;
  }

  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watch {
    this.assertOpen();
    if (afterRevision < this.history.start) throw new CompactedError(afterRevision, this.history.start);
    return this.watchers.add(prefix, afterRevision, callbacks);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.durable) {
      throw new Error(`store: cannot compact to revision ${revision}, newer than the current ${this.durable}`);
    }
    if (revision <= this.history.start) return;
    this.history.forgetUpTo(revision);
    // Watchers now behind the compaction learn it on their next turn.
    this.watchers.schedule();
    await this.append(encodeCompact(revision), this.sequenced);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.wal.close();
    await this.snapshotting;
    this.watchers.endAll(new Error('store: closed'));
    this.files.closeAll();
    this.lock.release();
  }

  /** The newest snapshot, its values left in its file; undefined if there is none. */
  private openLatestSnapshot(): Snapshot | undefined {
    const revision = listSnapshots(this.options.dir).at(-1);
    if (revision === undefined) return undefined;
    this.snapshotFile = this.files.open(snapshotPath(this.options.dir, revision));
    return readSnapshot(this.snapshotFile, revision);
  }

  /** Applies a replayed log record (read at offset in file); false if the snapshot already holds it. */
  private replay(entry: LoggedEntry, file: DataFile, offset: number): boolean {
    if (entry.op === RecordOp.Compact) {
      if (entry.revision > this.history.start) this.history.forgetUpTo(Math.min(entry.revision, this.sequenced));
      return true;
    }
    const revision = entry.op === RecordOp.Put ? entry.kv.modRevision : entry.revision;
    if (revision <= this.sequenced) return false;
    if (entry.op === RecordOp.Put) {
      const r = entry.kv;
      const ref = ValueRef.inFile(file, offset + FRAME_HEADER_BYTES + r.valueStart, r.valueLength);
      this.space.put(new StoredKeyValue(r.key, ref, r.createRevision, r.modRevision, r.version));
    } else {
      this.space.delete(entry.key, revision);
    }
    this.sequenced = revision;
    // Keep memory bounded while replaying a long log.
    if (this.history.length > 2 * (this.options.historyLimit ?? DEFAULT_HISTORY)) this.history.enforceLimit(revision);
    return true;
  }

  private async append(record: Buffer, revision: number, placed?: OnPlaced): Promise<void> {
    try {
      await this.wal.append(record, revision, placed);
    } catch (err) {
      // The memory state is now ahead of the disk: stop taking requests rather than serve it.
      this.closed = true;
      for (const w of this.durableWaiters.splice(0)) w.resolve();
      throw err;
    }
  }

  private onDurable(revision: number): void {
    this.durable = revision;
    this.history.enforceLimit(revision);
    while (this.durableWaiters.length > 0 && this.durableWaiters[0].revision <= revision) {
      this.durableWaiters.shift()!.resolve();
    }
    this.watchers.schedule();
    if (!this.snapshotting && !this.closed && this.wal.bytesSinceRotation >= this.snapshotLogBytes) {
      this.snapshot().catch((err: Error) => this.log(`store: writing a snapshot failed (will retry later): ${err.message}`));
    }
  }

  /**
   * Fails a write, but only once the state it was judged against is durable: answering "exists"
   * or "conflict" about a write that a crash could still undo would not be linearizable.
   */
  private async refuse(err: Error): Promise<never> {
    const revision = this.sequenced;
    if (revision > this.durable) {
      await new Promise<void>((resolve) => this.durableWaiters.push({ revision, resolve }));
    }
    throw err;
  }

  /**
   * Writes a snapshot now and removes the log and the snapshot it replaces, so that the files hold
   * current values only: after a key rotation, no value under the old key stays on disk.
   */
  async snapshotNow(): Promise<void> {
    this.assertOpen();
    while (this.snapshotting) await this.snapshotting;
    await this.snapshot();
  }

  /** Rotates the log, captures the state at the rotation, and writes it in the background. */
  private snapshot(): Promise<void> {
    const written = new Promise<void>((resolve, reject) => {
      this.wal.rotate((revision, segment) => {
        const kvs = this.space.allAt(revision);
        const compacted = this.history.start;
        writeSnapshot(this.options.dir, { revision, compacted, kvs })
          .then((positions) => this.switchToSnapshot(revision, kvs, positions, segment))
          .then(resolve, reject);
      });
    });
    // close() waits for this one, which never fails.
    this.snapshotting = written.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this.snapshotting = undefined;
    });
    return written;
  }

  /**
   * The snapshot at revision is on disk: read its values from there, keep in memory the older
   * values that only the history still needs, and retire the files the snapshot replaces (the
   * segments before segment, the previous snapshot). All in one turn, so no read sees a half move.
   */
  private switchToSnapshot(revision: number, kvs: StoredKeyValue[], positions: Float64Array, segment: number): void {
    const file = this.files.open(snapshotPath(this.options.dir, revision));
    kvs.forEach((kv, i) => kv.ref.placeIn(file, positions[i]));
    const replaced = new Set(this.wal.segmentsBefore(segment));
    if (this.snapshotFile) replaced.add(this.snapshotFile);
    for (let i = 0; i < this.history.length; i++) {
      const event = this.history.at(i);
      if (event.kv.ref.isIn(replaced)) event.kv.ref.keepInMemory();
      if (event.prevKv?.ref.isIn(replaced)) event.prevKv.ref.keepInMemory();
    }
    this.wal.removeSegmentsBefore(segment);
    // A snapshot again at the same revision (nothing written since) was renamed over the old one.
    if (this.snapshotFile?.path !== file.path) this.snapshotFile?.retire();
    this.snapshotFile = file;
    removeSnapshotsBefore(this.options.dir, revision);
  }

  private assertOpen(): void {
    if (this.closed) throw this.wal.failed ?? new Error('store: closed');
  }
}
