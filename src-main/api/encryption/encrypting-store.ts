// A Store that encrypts the values of configured resources on their way into another Store and
// decrypts them on the way out, as upstream's storage transformer sits above etcd: the engine
// (WAL or etcd) only ever holds ciphertext for them, while everything above sees plain JSON with
// the same keys, revisions, watches and errors. Values of other resources pass through untouched.
import { ConflictError, KeyExistsError } from '../../store/store.ts';
import type { KeyValue, RangeOptions, RangeResult, Store, Watch, WatchCallbacks, WatchEvent } from '../../store/store.ts';
import type { TransformerForKey } from './transformer-for-key.ts';

export class EncryptingStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly transformerFor: TransformerForKey,
  ) {}

  revision(): number {
    return this.inner.revision();
  }

  compactedRevision(): number {
    return this.inner.compactedRevision();
  }

  // Reads decrypt at once, so that a value that cannot be decrypted fails the read before any
  // of the answer is written (a 500 naming the key, not a response cut halfway).
  async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key);
    return kv && this.opened(kv);
  }

  async range(options: RangeOptions): Promise<RangeResult> {
    const result = await this.inner.range(options);
    return options.countOnly ? result : { ...result, kvs: result.kvs.map((kv) => this.opened(kv)) };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.written(value, await this.refused(() => this.inner.create(key, this.sealed(key, value))));
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.written(value, await this.refused(() => this.inner.update(key, this.sealed(key, value), expectedModRevision)));
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    // Lazily: the object is gone whether or not its last value can still be decrypted.
    return this.lazy(await this.refused(() => this.inner.delete(key, expectedModRevision)));
  }

  watch(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watch {
    let failed = false;
    let watch: Watch | undefined = undefined;
    watch = this.inner.watch(prefix, afterRevision, {
      onEvents: (events) => {
        if (failed) return;
        const opened: WatchEvent[] = [];
        try {
          for (const ev of events) opened.push({ ...ev, kv: this.opened(ev.kv), ...(ev.prevKv && { prevKv: this.opened(ev.prevKv) }) });
        } catch (e) {
          // The events before it are delivered; the watch cannot go on past one it cannot decrypt.
          failed = true;
          watch?.cancel();
          if (opened.length > 0) callbacks.onEvents(opened);
          callbacks.onError?.(e as Error);
          return;
        }
        callbacks.onEvents(opened);
      },
      onError: (err) => callbacks.onError?.(err),
    });
    return watch;
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private sealed(key: string, value: string): string {
    const t = this.transformerFor(key);
    return t ? t.toStorage(value, key) : value;
  }

  /** kv with its value decrypted now (throws TransformError). */
  private opened(kv: KeyValue): KeyValue {
    const t = this.transformerFor(kv.key);
    return t ? new PlainKeyValue(kv, t.fromStorage(kv.value, kv.key).value) : kv;
  }

  /** kv, decrypted when its value is first read. */
  private lazy(kv: KeyValue): KeyValue {
    const t = this.transformerFor(kv.key);
    return t ? new PlainKeyValue(kv, () => t.fromStorage(kv.value, kv.key).value) : kv;
  }

  /** The stored kv of a write, with the value the caller gave. */
  private written(value: string, kv: KeyValue): KeyValue {
    return this.transformerFor(kv.key) ? new PlainKeyValue(kv, value) : kv;
  }

  /** Runs a write; a refusal carries the current value, which the caller reads decrypted too. */
  private async refused(write: () => Promise<KeyValue>): Promise<KeyValue> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof KeyExistsError) throw new KeyExistsError(e.key, this.lazy(e.current));
      if (e instanceof ConflictError) throw new ConflictError(e.key, this.lazy(e.current));
      throw e;
    }
  }
}

/** A stored KeyValue seen with its plain value (given, or computed on first read). */
class PlainKeyValue implements KeyValue {
  readonly key: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  private plain: string | undefined;

  constructor(
    stored: KeyValue,
    private readonly source: string | (() => string),
  ) {
    this.key = stored.key;
    this.createRevision = stored.createRevision;
    this.modRevision = stored.modRevision;
    this.version = stored.version;
    if (typeof source === 'string') this.plain = source;
  }

  get value(): string {
    this.plain ??= (this.source as () => string)();
    return this.plain;
  }

  get valueLength(): number {
    return Buffer.byteLength(this.value);
  }

  copyValue(target: Buffer, offset: number): number {
    return offset + target.write(this.value, offset);
  }
}
