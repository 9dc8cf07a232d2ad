// The in-memory state: every live key with its latest value, the ordered key index, and the
// history of recent events. Reads at an older revision (or at the durable revision while newer
// writes wait for their sync) start from the latest state and undo the newer events: the state of
// a key at revision R is the prevKv of its first event after R. The values themselves are read
// through each KeyValue's ValueRef (value-ref.ts), mostly from the data files.
import type { KeyValue, RangeResult, WatchEvent } from './store.ts';
import { History } from './history.ts';
import { prefixEnd, SortedKeys } from './sorted-keys.ts';
import type { StoredKeyValue } from './stored-key-value.ts';

export interface StoredEvent extends WatchEvent {
  kv: StoredKeyValue;
  prevKv?: StoredKeyValue;
}

export class KeySpace {
  readonly kvs = new Map<string, StoredKeyValue>();
  readonly keys = new SortedKeys();

  constructor(readonly history: History<StoredEvent>) {}

  /** Loads a snapshot's keys (sorted) into an empty key space. */
  load(kvs: StoredKeyValue[]): void {
    for (const kv of kvs) this.kvs.set(kv.key, kv);
    this.keys.load(kvs.map((kv) => kv.key));
  }

  put(kv: StoredKeyValue): StoredEvent {
    const prevKv = this.kvs.get(kv.key);
    this.kvs.set(kv.key, kv);
    if (!prevKv) this.keys.insert(kv.key);
    const event: StoredEvent = prevKv ? { type: 'put', kv, prevKv } : { type: 'put', kv };
    this.history.push(event);
    return event;
  }

  /** Deletes key at revision; the event's kv is the last value with modRevision = revision. */
  delete(key: string, revision: number): StoredEvent | undefined {
    const prevKv = this.kvs.get(key);
    if (!prevKv) return undefined;
    this.kvs.delete(key);
    this.keys.delete(key);
    const event: StoredEvent = { type: 'delete', kv: prevKv.deletedAt(revision), prevKv };
    this.history.push(event);
    return event;
  }

  /** key's value as of revision (which the history must still cover). */
  getAt(key: string, revision: number): KeyValue | undefined {
    for (let i = this.history.indexAfter(revision); i < this.history.length; i++) {
      const event = this.history.at(i);
      if (event.kv.key === key) return event.prevKv;
    }
    return this.kvs.get(key);
  }

  /**
   * Keys under prefix as of revision, after startAfter, at most limit of them (0: all). The
   * history must cover revision; the caller checks.
   */
  rangeAt(prefix: string, revision: number, startAfter?: string, limit = 0, countOnly = false): RangeResult {
    const end = prefixEnd(prefix);
    // The keys whose state at revision differs from now, and what it was (null: absent then).
    const undo = new Map<string, KeyValue | null>();
    for (let i = this.history.indexAfter(revision); i < this.history.length; i++) {
      const event = this.history.at(i);
      const key = event.kv.key;
      if (key.startsWith(prefix) && !undo.has(key)) undo.set(key, event.prevKv ?? null);
    }
    let count = this.keys.countBetween(prefix, end);
    for (const [key, then] of undo) {
      const now = this.kvs.has(key);
      if (now && then === null) count--;
      else if (!now && then !== null) count++;
    }
    if (countOnly) return { kvs: [], more: false, count, revision };

    const from = startAfter !== undefined && startAfter >= prefix ? startAfter + '\0' : prefix;
    const undoKeys = [...undo.keys()].filter((k) => k >= from).sort();
    const max = limit > 0 ? limit : Infinity;
    const kvs: KeyValue[] = [];
    let more = false;
    let u = 0;
    const take = (kv: KeyValue | null | undefined): boolean => {
      if (!kv) return true;
      if (kvs.length >= max) {
        more = true;
        return false;
      }
      kvs.push(kv);
      return true;
    };
    let open = true;
    this.keys.scan(from, (key) => {
      if (end !== undefined && key >= end) return false;
      while (u < undoKeys.length && undoKeys[u] < key) if (!(open = take(undo.get(undoKeys[u++])))) return false;
      if (u < undoKeys.length && undoKeys[u] === key) open = take(undo.get(undoKeys[u++]));
      else open = take(this.kvs.get(key));
      return open;
    });
    while (open && u < undoKeys.length) open = take(undo.get(undoKeys[u++]));
    return { kvs, more, count, revision };
  }

  /** Every key as of revision, sorted: what a snapshot holds. */
  allAt(revision: number): StoredKeyValue[] {
    return this.rangeAt('', revision).kvs as StoredKeyValue[];
  }
}
