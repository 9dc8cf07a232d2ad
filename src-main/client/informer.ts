// A list+watch cache of one resource, like client-go's SharedInformer: list, then watch from the
// list's resourceVersion, keep every object in a map keyed namespace/name, and tell handlers what
// changed. When the watch history is gone (410) the informer lists again and reports the
// difference as add/update/delete, so handlers never miss a change even across a gap — which is
// what lets controllers be level-triggered. Objects handed out are the cache's own: never mutate
// them; copy before changing (structuredClone).
import { isGone } from './api-error.ts';
import { Backoff } from './backoff.ts';
import type { GroupVersionResource } from './gvr.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject, WatchEvent, WatchHandle } from './types.ts';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Every this many ms, 'update' is re-delivered for every cached object (0/absent: never). */
  resyncMs?: number;
  /** Page size of the list calls. */
  pageSize?: number;
  /**
   * Applied to every object before it is cached (client-go's TransformFunc), e.g. to drop
   * metadata.managedFields, which no controller reads and which is a large part of each object.
   */
  transform?: <U extends KubeObject>(obj: U) => U;
}

/** The transform kube-controller-manager and kube-scheduler use: managedFields dropped. */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export interface InformerHandlers<T> {
  add: (obj: T) => void;
  update: (oldObj: T, newObj: T) => void;
  delete: (obj: T) => void;
  /** A list or watch failed; the informer retries by itself. For logging. */
  error: (err: Error) => void;
}

/** client-go's MetaNamespaceKeyFunc: "ns/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Answers that retrying cannot fix (bad credentials, unknown resource): start() fails on them. */
function isPermanent(err: unknown): boolean {
  const status = (err as { status?: number }).status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 410 && status !== 429;
}

/** Maps an object to the index values it is filed under (client-go's IndexFunc). */
export type IndexFunc<T> = (obj: T) => readonly string[];

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  /** index name → (index value → keys), kept in step with the cache. */
  private readonly indices = new Map<string, { fn: IndexFunc<T>; values: Map<string, Set<string>> }>();
  private readonly handlers: { [K in keyof InformerHandlers<T>]: InformerHandlers<T>[K][] } = {
    add: [], update: [], delete: [], error: [],
  };
  private readonly backoff = new Backoff();
  private resourceVersion = '';
  private watchHandle?: WatchHandle;
  private timer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private stopped = false;
  private synced = false;
  private wake?: () => void;

  constructor(
    private readonly client: KubeClient,
    private readonly gvr: GroupVersionResource,
    private readonly opts: InformerOptions = {},
  ) {}

  on<K extends keyof InformerHandlers<T>>(event: K, handler: InformerHandlers<T>[K]): this {
    this.handlers[event].push(handler);
    return this;
  }

  /** Resolves once the first list is in the cache; rejects if that list fails permanently. */
  async start(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('informer stopped before it synced');
      try {
        await this.relist();
        break;
      } catch (err) {
        if (isPermanent(err)) throw err;
        this.emitError(err);
        await new Promise<void>((r) => {
          this.wake = r; // stop() ends the wait, so start() rejects instead of hanging
          this.timer = setTimeout(r, this.backoff.next());
        });
      }
    }
    this.synced = true;
    this.watch();
    if (this.opts.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref?.();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    clearInterval(this.resyncTimer);
    this.watchHandle?.stop();
    this.watchHandle = undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache reflects (of the last list, event or bookmark). */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /**
   * Files every object under the values fn gives, so byIndex() finds, say, the pods of one node
   * without a scan. Add indices before start().
   */
  addIndex(name: string, fn: IndexFunc<T>): this {
    const values = new Map<string, Set<string>>();
    this.indices.set(name, { fn, values });
    for (const [key, obj] of this.cache) this.fileUnder(values, fn(obj), key);
    return this;
  }

  /** The cached objects filed under value in the named index. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`informer has no index "${name}"`);
    const out: T[] = [];
    for (const key of index.values.get(value) ?? []) {
      const obj = this.cache.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  private put(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    for (const { fn, values } of this.indices.values()) {
      if (old) this.unfile(values, fn(old), key);
      this.fileUnder(values, fn(obj), key);
    }
  }

  private remove(key: string): void {
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    for (const { fn, values } of this.indices.values()) this.unfile(values, fn(old), key);
  }

  private fileUnder(values: Map<string, Set<string>>, under: readonly string[], key: string): void {
    for (const v of under) {
      let keys = values.get(v);
      if (!keys) values.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unfile(values: Map<string, Set<string>>, under: readonly string[], key: string): void {
    for (const v of under) {
      const keys = values.get(v);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) values.delete(v);
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list<T>(this.gvr, {
        namespace: this.opts.namespace,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        limit: this.opts.pageSize ?? 500,
        continue: cont,
      });
      for (const item of page.items) fresh.set(objectKey(item), this.opts.transform ? this.opts.transform(item) : item);
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    if (this.stopped) return;
    // Report the difference, so handlers see deletes that happened while no watch was open.
    for (const [key, old] of this.cache) {
      if (!fresh.has(key)) {
        this.remove(key);
        this.emit('delete', old);
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.cache.get(key);
      this.put(key, obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', old, obj);
    }
    this.resourceVersion = rv;
  }

  private watch(): void {
    if (this.stopped) return;
    const startedAt = Date.now();
    let gone = false;
    let failed = false;
    this.watchHandle = this.client.watch<T>(
      this.gvr,
      {
        namespace: this.opts.namespace,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        // like client-go: 5-10 minutes, so that watches of many informers do not end together
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      },
      (e) => {
        if (e.type === 'ERROR') {
          if (e.object.code === 410 || e.object.reason === 'Expired' || e.object.reason === 'Gone') gone = true;
          else {
            failed = true;
            this.emitError(new Error(`watch error: ${e.object.message ?? e.object.reason ?? 'unknown'}`));
          }
          this.watchHandle?.stop();
          return;
        }
        this.apply(e);
      },
      (err) => {
        this.watchHandle = undefined;
        if (this.stopped) return;
        if (err && isGone(err)) gone = true;
        if (err && !gone) this.emitError(err);
        this.restart(gone, failed || !!err, Date.now() - startedAt);
      },
    );
  }

  /**
   * After a watch ends: a clean end (server timeout) re-watches from where it was; 410 Gone
   * re-lists at once (the history we need is compacted away); any other failure re-lists after
   * a backoff, since events may have been lost.
   */
  private restart(gone: boolean, failed: boolean, livedMs: number): void {
    const run = async (): Promise<void> => {
      if (this.stopped) return;
      if (gone || failed) {
        try {
          await this.relist();
        } catch (err) {
          this.emitError(err);
          this.timer = setTimeout(() => void run(), this.backoff.next());
          return;
        }
      }
      this.watch();
    };
    // A watch that ends at once every time (a broken server) must not become a hot loop.
    if (failed && !gone) this.timer = setTimeout(() => void run(), this.backoff.next());
    else if (livedMs < 1000 && !gone) this.timer = setTimeout(() => void run(), this.backoff.next());
    else {
      if (livedMs >= 1000) this.backoff.reset();
      void run();
    }
  }

  private apply(e: Exclude<WatchEvent<T>, { type: 'ERROR' }>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    const obj = this.opts.transform ? this.opts.transform(e.object) : e.object;
    const key = objectKey(obj);
    const old = this.cache.get(key);
    if (e.type === 'DELETED') {
      this.remove(key);
      this.emit('delete', old ?? obj);
      return;
    }
    this.put(key, obj);
    if (old) this.emit('update', old, obj);
    else this.emit('add', obj);
  }

  private resync(): void {
    for (const obj of this.cache.values()) this.emit('update', obj, obj);
  }

  private emit(event: 'add' | 'delete', obj: T): void;
  private emit(event: 'update', oldObj: T, newObj: T): void;
  private emit(event: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers[event]) {
      try {
        if (event === 'update') (h as InformerHandlers<T>['update'])(a, b as T);
        else (h as (o: T) => void)(a);
      } catch (err) {
        // one faulty handler must not stop the cache from following the server
        this.emitError(err);
      }
    }
  }

  private emitError(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    for (const h of this.handlers.error) h(e);
  }
}
