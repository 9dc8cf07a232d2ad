// EtcdStore: the Store over an etcd v3 cluster (the `etcd3` client), as kube-apiserver keeps its
// objects: every key under one prefix (default /registry/, its --etcd-prefix), values as given,
// etcd's global revision as the resourceVersion. Writes are single transactions, so each check and
// its write are atomic on the raft leader: create compares the key's version with 0, update and
// delete compare its mod revision (compare-and-swap), and the failure branch reads the current
// value for the KeyExistsError/ConflictError in the same transaction.
//
// revision() and compactedRevision() are synchronous in the contract but live in etcd, so the store
// keeps its latest knowledge of them: revision() is the highest header revision of every response
// (reads, writes, watch events and watch progress notifications), and compactedRevision() is found
// at open (compaction.ts), raised by this store's compact(), by a watch etcd cancels for compaction
// (its compact_revision), and by a read refused as compacted (a lower bound: the read's revision
// + 1). Another client's writes or compaction show up at the next response that carries them.
import type { Etcd3, ICompare, IKeyValue, IRangeResponse, IResponseHeader, ITxnResponse, KVClient } from 'etcd3';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from '../store.ts';
import type { KeyValue, RangeOptions, RangeResult, Store, Watch, WatchCallbacks } from '../store.ts';
import { findCompactedRevision, isCompactedError } from './compaction.ts';
import { connectEtcd } from './etcd-client.ts';
import type { EtcdConnection } from './etcd-client.ts';
import { EtcdKeyValue } from './etcd-key-value.ts';
import { EtcdWatch } from './etcd-watch.ts';
import type { WatchHost } from './etcd-watch.ts';
import { KeySpacePrefix } from './key-range.ts';

export interface EtcdStoreOptions extends EtcdConnection {
  /** Where the store's keys live in etcd (default /registry/, as kube-apiserver's --etcd-prefix). */
  prefix?: string;
}

export const DEFAULT_ETCD_PREFIX = '/registry/';
/** How long close() waits for watches to deliver this store's own last writes. */
const CLOSE_CATCH_UP_MS = 2_000;
/** Own writes remembered for new watches' catch-up on close. */
const RECENT_WRITES = 1024;

export async function openEtcdStore(options: EtcdStoreOptions): Promise<EtcdStore> {
  const client = connectEtcd(options);
  const store = new EtcdStore(client, new KeySpacePrefix(options.prefix ?? DEFAULT_ETCD_PREFIX));
  try {
    await store.start();
    return store;
  } catch (err) {
    client.close();
    throw err;
  }
}

export class EtcdStore implements Store {
  private readonly kv: KVClient;
  private current = 0;
  private compacted = 0;
  private closed = false;
  private readonly watches = new Set<EtcdWatch>();
  /** This store's latest writes (key, revision), oldest first. */
  private readonly recentWrites: { key: string; revision: number }[] = [];
  private readonly host: WatchHost;

  /** Use openEtcdStore. */
  constructor(
    private readonly client: Etcd3,
    private readonly keys: KeySpacePrefix,
  ) {
    this.kv = client.kv;
    this.host = {
      keys,
      openStream: () => client.watchClient.watch(),
      observeRevision: (revision) => this.observeRevision(revision),
      observeCompacted: (revision) => this.observeCompacted(revision),
      release: (watch) => this.watches.delete(watch),
    };
  }

  /** Learns the current and the compacted revision. */
  async start(): Promise<void> {
    const probe = this.keys.toEtcd('');
    const res = await this.kv.range({ key: probe, count_only: true });
    this.seen(res.header);
    this.observeCompacted(await findCompactedRevision(this.kv, probe, this.current));
  }

  revision(): number {
    return this.current;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(0, () => this.kv.range({ key: this.keys.toEtcd(key) }));
    this.seen(res.header);
    return this.first(key, res);
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    const revision = options.revision ?? 0;
    if (revision > 0 && revision < this.compacted) throw new CompactedError(revision, this.compacted);
    const all = this.keys.range(options.prefix);
    const limit = options.limit ?? 0;
    const readAt = (header: IResponseHeader) => (revision > 0 ? revision : Number(header.revision));
    if (options.countOnly) {
      const res = await this.call(revision, () => this.kv.range({ ...all, revision, count_only: true }));
      this.seen(res.header);
      return { kvs: [], more: false, count: Number(res.count), revision: readAt(res.header) };
    }
    if (options.startAfter === undefined) {
      const res = await this.call(revision, () => this.kv.range({ ...all, revision, limit }));
      this.seen(res.header);
      return { kvs: this.kvsOf(res), more: res.more, count: Number(res.count), revision: readAt(res.header) };
    }
    // A page after a continue token: the page and the whole prefix's count (the contract's count
    // ignores startAfter; etcd counts only the range it reads) in one transaction, at one revision.
    const window = this.keys.rangeAfter(options.prefix, options.startAfter);
    const res = await this.call(revision, () =>
      this.kv.txn({ success: [{ request_range: { ...window, revision, limit } }, { request_range: { ...all, revision, count_only: true } }] }),
    );
    this.seen(res.header);
    const page = res.responses[0].response_range;
    const counted = res.responses[1].response_range;
    return { kvs: this.kvsOf(page), more: page.more, count: Number(counted.count), revision: readAt(res.header) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = this.keys.toEtcd(key);
    const bytes = Buffer.from(value, 'utf8');
    const res = await this.call(0, () =>
      this.kv.txn({
        compare: [{ key: k, target: 'Version', result: 'Equal', version: 0 }],
        success: [{ request_put: { key: k, value: bytes } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const revision = this.seen(res.header);
    if (!res.succeeded) throw new KeyExistsError(key, this.currentIn(key, res) ?? this.missing(key));
    this.wrote(key, revision);
    return new EtcdKeyValue(key, bytes, revision, revision, 1);
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.keys.toEtcd(key);
    const bytes = Buffer.from(value, 'utf8');
    const res = await this.call(0, () =>
      this.kv.txn({
        compare: this.exists(k, expectedModRevision),
        success: [{ request_put: { key: k, value: bytes, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const revision = this.seen(res.header);
    if (!res.succeeded) this.refuse(key, res);
    this.wrote(key, revision);
    const prev = res.responses[0].response_put.prev_kv;
    return new EtcdKeyValue(key, bytes, Number(prev.create_revision), revision, Number(prev.version) + 1);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const k = this.keys.toEtcd(key);
    const res = await this.call(0, () =>
      this.kv.txn({
        compare: this.exists(k, expectedModRevision),
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    const revision = this.seen(res.header);
    if (!res.succeeded) this.refuse(key, res);
    this.wrote(key, revision);
    return EtcdKeyValue.from(key, res.responses[0].response_delete_range.prev_kvs[0], revision);
  }

  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watch {
    this.assertOpen();
    // Only what this store already knows; a compaction it has not heard of ends the watch with
    // onError(CompactedError) once etcd cancels it.
    if (afterRevision < this.compacted) throw new CompactedError(afterRevision, this.compacted);
    const watch = new EtcdWatch(this.host, prefix, afterRevision, callbacks);
    for (const w of this.recentWrites) if (w.revision > afterRevision && w.key.startsWith(prefix)) watch.expected = Math.max(watch.expected, w.revision);
    this.watches.add(watch);
    return watch;
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision <= this.compacted) return;
    try {
      const res = await this.kv.compact({ revision });
      this.seen(res.header);
      this.observeCompacted(revision);
    } catch (err) {
      // Someone compacted further already: learn how far.
      if (!isCompactedError(err)) throw err;
      this.observeCompacted(await findCompactedRevision(this.kv, this.keys.toEtcd(''), this.current));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Deliver what this store itself wrote before ending the watches, as the embedded store does.
    await Promise.all([...this.watches].map((w) => w.catchUp(CLOSE_CATCH_UP_MS)));
    for (const w of [...this.watches]) w.fail(new Error('the store was closed'));
    this.client.close();
  }

  private observeRevision(revision: number): void {
    if (revision > this.current) this.current = revision;
  }

  private observeCompacted(revision: number): void {
    if (revision > this.compacted) this.compacted = revision;
  }

  private seen(header: IResponseHeader): number {
    const revision = Number(header.revision);
    this.observeRevision(revision);
    return revision;
  }

  /** Remembers an own write, for close() to wait until every watch under it has delivered it. */
  private wrote(key: string, revision: number): void {
    this.recentWrites.push({ key, revision });
    if (this.recentWrites.length > RECENT_WRITES) this.recentWrites.shift();
    for (const w of this.watches) if (key.startsWith(w.prefix) && revision > w.expected) w.expected = revision;
  }

  /** The compares of update and delete: the key exists, and at expectedModRevision if given. */
  private exists(k: Buffer, expectedModRevision: number | undefined): ICompare[] {
    const compare: ICompare[] = [{ key: k, target: 'Version', result: 'Greater', version: 0 }];
    if (expectedModRevision !== undefined) compare.push({ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision });
    return compare;
  }

  /** A failed update or delete: the key is gone, or it changed since expectedModRevision. */
  private refuse(key: string, res: ITxnResponse): never {
    const current = this.currentIn(key, res);
    if (!current) throw new KeyNotFoundError(key);
    throw new ConflictError(key, current);
  }

  /** The key's value as the failure branch of a transaction read it. */
  private currentIn(key: string, res: ITxnResponse): KeyValue | undefined {
    const read = res.responses[0]?.response_range;
    return read && this.first(key, read);
  }

  private missing(key: string): never {
    throw new Error(`etcd: ${key} exists but could not be read`);
  }

  private first(key: string, res: IRangeResponse): KeyValue | undefined {
    const kv: IKeyValue | undefined = res.kvs[0];
    return kv && EtcdKeyValue.from(key, kv);
  }

  private kvsOf(res: IRangeResponse): KeyValue[] {
    return res.kvs.map((kv) => EtcdKeyValue.from(this.keys.fromEtcd(kv.key), kv));
  }

  /** Runs one call; a read at a compacted revision becomes CompactedError. */
  private async call<T>(revision: number, fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await fn();
    } catch (err) {
      if (this.closed) throw new Error('the store is closed', { cause: err });
      if (isCompactedError(err)) {
        this.observeCompacted(revision + 1);
        throw new CompactedError(revision, this.compacted);
      }
      throw err;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }
}
