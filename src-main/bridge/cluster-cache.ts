// The main side's view of the cluster for the UI: one list+watch source per kind, and a stream of
// coalesced deltas. Watches can deliver hundreds of events a second (a rollout, a namespace
// deletion); the renderer only needs the latest state of each object per frame or so, so changes
// are collected per key for `batchMs` and sent as one batch.
import type { ClusterSource, KubeObject } from './cluster-source.ts';
import type { KindSpec } from './kinds.ts';
import { objectKey, type Change, type KindName, type Snapshot } from './protocol.ts';

export type DeltaListener = (changes: Change[]) => void;

export interface ClusterCacheOptions {
  /** How long changes are collected before a batch goes out (default 50 ms). */
  batchMs?: number;
}

export class ClusterCache {
  readonly #kinds: readonly KindSpec[];
  readonly #sourceFor: (spec: KindSpec) => ClusterSource;
  readonly #batchMs: number;
  readonly #sources = new Map<KindName, ClusterSource>();
  readonly #objects = new Map<KindName, Map<string, KubeObject>>();
  readonly #pending = new Map<string, Change>();
  readonly #listeners = new Set<DeltaListener>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started: Promise<void> | undefined;
  /** Kinds the credentials may not list or the server does not serve. */
  readonly unavailable = new Set<KindName>();
  #stopped = false;

  constructor(kinds: readonly KindSpec[], sourceFor: (spec: KindSpec) => ClusterSource, options: ClusterCacheOptions = {}) {
    this.#kinds = kinds;
    this.#sourceFor = sourceFor;
    this.#batchMs = options.batchMs ?? 50;
  }

  /** Starts every source once; later calls share the first start. Rejects if a list fails. */
  start(): Promise<void> {
    // A failed start (API not reachable yet) is forgotten, so that the next subscriber retries.
    this.#started ??= this.#startAll().catch((err: unknown) => {
      for (const source of this.#sources.values()) source.stop();
      this.#sources.clear();
      this.#started = undefined;
      throw err;
    });
    return this.#started;
  }

  async #startAll(): Promise<void> {
    await Promise.all(this.#kinds.map(async (spec) => {
      const objects = new Map<string, KubeObject>();
      this.#objects.set(spec.name, objects);
      const source = this.#sourceFor(spec);
      this.#sources.set(spec.name, source);
      // Events before the list is in (an informer reports every listed object as added) are
      // already part of source.list(); relaying them would send the whole list twice.
      let listed = false;
      try {
        await source.start({
          upsert: (obj) => listed && this.#record(spec.name, objects, obj, false),
          delete: (obj) => listed && this.#record(spec.name, objects, obj, true),
        });
      } catch (err) {
        // A kubeconfig user may not list every kind (403), or a cluster may not serve it (404):
        // the UI shows the rest. Anything else (the server is down) fails the start.
        if (!isForbiddenOrMissing(err)) throw err;
        source.stop();
        this.#sources.delete(spec.name);
        this.unavailable.add(spec.name);
        return;
      }
      for (const obj of source.list()) objects.set(objectKey(obj), trim(spec.name, obj));
      listed = true;
    }));
    if (this.#stopped) this.stop();
  }

  /** The current objects of every kind, as the renderer should start from. */
  snapshot(): Snapshot[] {
    return this.#kinds.map((spec) => ({
      type: 'snapshot',
      kind: spec.name,
      objects: [...(this.#objects.get(spec.name)?.values() ?? [])],
    }) as Snapshot);
  }

  onDelta(listener: DeltaListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const source of this.#sources.values()) source.stop();
    this.#sources.clear();
    this.#pending.clear();
    this.#listeners.clear();
  }

  #record(kind: KindName, objects: Map<string, KubeObject>, obj: KubeObject, deleted: boolean): void {
    if (this.#stopped) return;
    const key = objectKey(obj);
    const pendingKey = `${kind}\u0000${key}`;
    // Re-inserting moves the key to the end, so a batch keeps the order of last changes.
    this.#pending.delete(pendingKey);
    if (deleted) {
      objects.delete(key);
      this.#pending.set(pendingKey, { kind, op: 'delete', key } as Change);
    } else {
      const trimmed = trim(kind, obj);
      objects.set(key, trimmed);
      this.#pending.set(pendingKey, { kind, op: 'upsert', object: trimmed } as Change);
    }
    this.#timer ??= setTimeout(() => this.#flush(), this.#batchMs);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const changes = [...this.#pending.values()];
    this.#pending.clear();
    for (const listener of this.#listeners) listener(changes);
  }
}

function isForbiddenOrMissing(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return status === 403 || status === 404;
}

/**
 * A copy without what the UI never shows and that can dwarf the object itself: managedFields and
 * kubectl's last-applied annotation. Secret values never leave the main side in the stream (a
 * view reveals one on request), so they are blanked, keys kept. Copies, so that the source's
 * cached object is never changed.
 */
function trim<T extends KubeObject>(kind: KindName, obj: T): T {
  if (kind === 'secrets') obj = blankSecret(obj);
  const meta = obj.metadata;
  if (!meta || (!meta.managedFields && !meta.annotations?.['kubectl.kubernetes.io/last-applied-configuration'])) return obj;
  const { managedFields: _managed, ...rest } = meta;
  const annotations = meta.annotations ? { ...meta.annotations } : undefined;
  if (annotations) delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  return { ...obj, metadata: { ...rest, ...(annotations ? { annotations } : {}) } };
}

function blankSecret<T extends KubeObject>(obj: T): T {
  const secret = obj as { data?: Record<string, string>; stringData?: Record<string, string> };
  if (!secret.data && !secret.stringData) return obj;
  const keys = [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})];
  const { stringData: _s, ...rest } = secret;
  // The last-applied annotation would hold the values too; trim drops it next.
  return { ...rest, data: Object.fromEntries(keys.map((k) => [k, ''])) } as T;
}
