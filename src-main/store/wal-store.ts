// WalStore: the embedded Store. State lives in memory (key-space.ts); every change is a record in
// the write-ahead log (wal.ts), synced before the write's promise resolves; snapshots
// (snapshot.ts) bound the log so restarts stay fast. Writes are validated and given their
// revision synchronously, against the latest state (including writes still waiting for their
// sync), so the log order is the commit order and concurrent compare-and-swaps are linearizable.
// Readers and watchers only see the durable revision: nothing a crash could undo.
import { mkdirSync } from 'node:fs';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.ts';
import type { KeyValue, RangeOptions, RangeResult, Store, Watch, WatchCallbacks } from './store.ts';
import { encodeWalEntry, RecordOp } from './record-codec.ts';
import type { WalEntry } from './record-codec.ts';
import { History } from './history.ts';
import { KeySpace } from './key-space.ts';
import { lockDir } from './lock.ts';
import type { DirLock } from './lock.ts';
import { listSnapshots, readSnapshot, removeSnapshotsBefore, writeSnapshot } from './snapshot.ts';
import { WriteAheadLog } from './wal.ts';
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
  try {
    return new WalStore(options, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

export class WalStore implements Store {
  private readonly space: KeySpace;
  private readonly history: History;
  private readonly watchers: Watchers;
  private readonly wal: WriteAheadLog;
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
  ) {
    const { dir } = options;
    this.log = options.log ?? ((line) => console.error(line));
    this.snapshotLogBytes = options.snapshotLogBytes ?? DEFAULT_SNAPSHOT_LOG_BYTES;
    const snapshots = listSnapshots(dir);
    const snapshot = snapshots.length > 0 ? readSnapshot(dir, snapshots[snapshots.length - 1]) : undefined;
    this.history = new History(snapshot?.revision ?? 0, options.historyLimit ?? DEFAULT_HISTORY);
    this.space = new KeySpace(this.history);
    if (snapshot) {
      this.space.load(snapshot.kvs);
      this.sequenced = snapshot.revision;
    }
    let firstNeededSegment = Infinity;
    this.wal = WriteAheadLog.open({
      dir,
      log: this.log,
      onEntry: (entry, segment) => {
        if (this.replay(entry)) firstNeededSegment = Math.min(firstNeededSegment, segment);
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
    const kv = Object.freeze({ key, value, createRevision: revision, modRevision: revision, version: 1 });
    this.space.put(kv);
    await this.append({ op: RecordOp.Put, kv }, revision);
    return kv;
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    this.assertOpen();
    const current = this.space.kvs.get(key);
    if (!current) return this.refuse(new KeyNotFoundError(key));
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      return this.refuse(new ConflictError(key, current));
    }
    const revision = ++this.sequenced;
    const kv = Object.freeze({
      key,
      value,
      createRevision: current.createRevision,
      modRevision: revision,
      version: current.version + 1,
    });
    this.space.put(kv);
    await this.append({ op: RecordOp.Put, kv }, revision);
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
    await this.append({ op: RecordOp.Delete, revision, key }, revision);
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
    await this.append({ op: RecordOp.Compact, revision }, this.sequenced);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.wal.close();
    await this.snapshotting;
    this.watchers.endAll(new Error('store: closed'));
    this.lock.release();
  }

  /** Applies a replayed log record; false if the snapshot already holds it. */
  private replay(entry: WalEntry): boolean {
    if (entry.op === RecordOp.Compact) {
      if (entry.revision > this.history.start) this.history.forgetUpTo(Math.min(entry.revision, this.sequenced));
      return true;
    }
    const revision = entry.op === RecordOp.Put ? entry.kv.modRevision : entry.revision;
    if (revision <= this.sequenced) return false;
    if (entry.op === RecordOp.Put) this.space.put(entry.kv);
    else this.space.delete(entry.key, revision);
    this.sequenced = revision;
    // Keep memory bounded while replaying a long log.
    if (this.history.length > 2 * (this.options.historyLimit ?? DEFAULT_HISTORY)) this.history.enforceLimit(revision);
    return true;
  }

  private async append(entry: WalEntry, revision: number): Promise<void> {
    try {
      await this.wal.append(encodeWalEntry(entry), revision);
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
    if (!this.snapshotting && !this.closed && this.wal.bytesSinceRotation >= this.snapshotLogBytes) this.snapshot();
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

  /** Rotates the log, captures the state at the rotation, and writes it in the background. */
  private snapshot(): void {
    this.snapshotting = new Promise<void>((done) => {
      this.wal.rotate((revision, segment) => {
        const kvs = this.space.allAt(revision);
        const compacted = this.history.start;
        writeSnapshot(this.options.dir, { revision, compacted, kvs })
          .then(() => {
            this.wal.removeSegmentsBefore(segment);
            removeSnapshotsBefore(this.options.dir, revision);
          })
          .catch((err: Error) => this.log(`store: writing a snapshot failed (will retry later): ${err.message}`))
          .finally(() => {
            this.snapshotting = undefined;
            done();
          });
      });
    });
  }

  private assertOpen(): void {
    if (this.closed) throw this.wal.failed ?? new Error('store: closed');
  }
}
