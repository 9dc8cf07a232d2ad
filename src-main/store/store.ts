// The Store contract: a revisioned key-value store with etcd v3 semantics. The API server keeps
// every object under one key; the global revision of the write that last touched a key is that
// object's resourceVersion. Two engines implement it: the embedded WAL store (default) and an
// etcd-backed store; both must pass test/unit/store/conformance.ts.

export interface KeyValue {
  key: string;
  /**
   * The stored bytes, as a UTF-8 string (the API server stores JSON). An engine may read them on
   * access (the embedded one reads them from its files), so read it while the store is open, and
   * once if it is needed several times.
   */
  readonly value: string;
  /** The value's length in UTF-8 bytes. */
  readonly valueLength: number;
  /** Copies the value's UTF-8 bytes into target at offset; returns the offset after them. */
  copyValue(target: Buffer, offset: number): number;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key; for a deleted key in an event, the delete's revision. */
  modRevision: number;
  /** Number of writes to this key since creation, starting at 1. */
  version: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For 'put' the new value; for 'delete' the last value, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event, if the key existed. */
  prevKv?: KeyValue;
}

export interface RangeOptions {
  /** Every key that starts with this prefix. */
  prefix: string;
  /** Only keys strictly greater than this one (a continue token's position). */
  startAfter?: string;
  /** At most this many keys; `more` tells whether others remain. 0 or absent: no limit. */
  limit?: number;
  /** Read as of this revision (0 or absent: the current one). Too old: CompactedError. */
  revision?: number;
  /** Only count the keys, return no values. */
  countOnly?: boolean;
}

export interface RangeResult {
  /** In ascending key order. */
  kvs: KeyValue[];
  /** More keys match after the last one returned. */
  more: boolean;
  /** The number of keys that match in all (ignoring limit and startAfter). */
  count: number;
  /** The revision the range was read at. */
  revision: number;
}

export interface Watch {
  /** Stops the watch; no more callbacks after it returns. */
  cancel(): void;
}

export interface WatchCallbacks {
  /** Events in revision order; several events of one revision come in one call. */
  onEvents(events: WatchEvent[]): void;
  /** The watch ended because of an error (the store closed, the watcher fell too far behind). */
  onError?(err: Error): void;
}

export interface Store {
  /**
   * The current global revision (0 for an empty, new embedded store). An etcd store shares its
   * cluster's revisions with every other client and prefix, so a fresh prefix starts at the
   * cluster's revision, and this is the newest revision the store has seen in a response.
   */
  revision(): number;
  /**
   * The oldest revision that watches and reads can still start from (for an etcd store: as far as
   * it knows; another client's compaction is learnt when a read or watch meets it).
   */
  compactedRevision(): number;

  get(key: string): Promise<KeyValue | undefined>;
  range(options: RangeOptions): Promise<RangeResult>;

  /** Writes key only if it does not exist. Throws KeyExistsError otherwise. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Replaces key's value. With expectedModRevision, only if the key's modRevision is still that
   * (compare-and-swap); throws ConflictError (with the current value) if not, KeyNotFoundError if
   * the key does not exist.
   */
  update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue>;
  /**
   * Deletes key, optionally only at expectedModRevision. Returns the deleted value with modRevision
   * set to the delete's revision. Throws KeyNotFoundError or ConflictError.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;

  /**
   * Every change under prefix with a revision greater than afterRevision, in order, then live.
   * Throws CompactedError if afterRevision is older than compactedRevision(); a compaction the
   * store learns of only from its server (etcd, compacted by another client) ends the watch with
   * onError(CompactedError) instead.
   */
  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watch;

  /** Forgets history up to revision: reads and watches from before it get CompactedError. */
  compact(revision: number): Promise<void>;
  /** Flushes and releases everything (files, locks, watches). */
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue,
  ) {
    super(`key ${key} already exists`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key ${key} not found`);
    this.name = 'KeyNotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue,
  ) {
    super(`key ${key} was modified (mod revision ${current.modRevision})`);
    this.name = 'ConflictError';
  }
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`revision ${requested} has been compacted (oldest available: ${compacted})`);
    this.name = 'CompactedError';
  }
}

/** Another process holds the data folder. */
export class StoreLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: string,
  ) {
    super(`the data folder ${dir} is in use by another Kubelab (${holder}); stop it or use another --data-dir`);
    this.name = 'StoreLockedError';
  }
}
