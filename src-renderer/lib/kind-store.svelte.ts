// The renderer's copy of one kind: replaced wholesale by a snapshot, patched by deltas. A batch
// of changes costs O(changes): the Map is mutated in place, never copied, and objects are not
// wrapped in deep proxies (which would cost on big live tables). Readers still re-run once per
// batch, because `items` hands out a new live view of the Map after every batch.
import { objectKey, type Change, type KindMap, type KindName } from '../../src-main/bridge/protocol.ts';

/**
 * A read-only window on a Map that is mutated elsewhere. Its identity is what changes per batch
 * (so `$derived(store.items)` and `{#each}` see a new value), not its contents: it is a Map for
 * every reader (get, has, size, iteration) without copying a single entry.
 */
class LiveMapView<V> extends Map<string, V> {
  readonly #map: Map<string, V>;

  constructor(map: Map<string, V>) {
    super();
    this.#map = map;
  }

  override get size(): number { return this.#map.size; }
  override get(key: string): V | undefined { return this.#map.get(key); }
  override has(key: string): boolean { return this.#map.has(key); }
  override keys(): MapIterator<string> { return this.#map.keys(); }
  override values(): MapIterator<V> { return this.#map.values(); }
  override entries(): MapIterator<[string, V]> { return this.#map.entries(); }
  override [Symbol.iterator](): MapIterator<[string, V]> { return this.#map.entries(); }
  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void, self?: unknown): void {
    this.#map.forEach((v, k) => fn.call(self, v, k, this));
  }
  override set(): this { throw new TypeError('a store view is read-only: changes come from the cluster'); }
  override delete(): boolean { throw new TypeError('a store view is read-only: changes come from the cluster'); }
  override clear(): void { throw new TypeError('a store view is read-only: changes come from the cluster'); }
}

export class KindStore<K extends KindName> {
  readonly kind: K;
  /** False until the first snapshot: lets views say "loading" instead of "none". */
  loaded = $state(false);
  /** Bumped once per snapshot or batch that touched this kind. */
  version = $state(0);
  readonly #map = new Map<string, KindMap[K]>();
  #view = $state.raw(new LiveMapView(this.#map));

  constructor(kind: K) {
    this.kind = kind;
  }

  /** Every object by key ("ns/name" or "name"); a new view after each batch, never a copy. */
  get items(): Map<string, KindMap[K]> {
    return this.#view;
  }

  replace(objects: KindMap[K][]): void {
    this.#map.clear();
    for (const o of objects) this.#map.set(objectKey(o), o);
    this.rebuilt();
    this.loaded = true;
    this.#bump();
  }

  apply(changes: Change[]): void {
    let touched: Map<string, KindMap[K] | undefined> | undefined;
    for (const c of changes) {
      if (c.kind !== this.kind) continue;
      touched ??= new Map();
      const key = c.op === 'delete' ? c.key : objectKey(c.object);
      if (!touched.has(key)) touched.set(key, this.#map.get(key));
      if (c.op === 'delete') this.#map.delete(key);
      else this.#map.set(key, c.object as KindMap[K]);
    }
    if (!touched) return;
    this.changed(touched);
    this.#bump();
  }

  /**
   * Called after the Map changed, with what each touched key held before (undefined: it was
   * absent); the current value is in the Map. Subclasses keep derived indexes up to date here.
   */
  protected changed(_before: ReadonlyMap<string, KindMap[K] | undefined>): void {}

  /** Called after a snapshot replaced the whole Map: indexes are rebuilt from scratch. */
  protected rebuilt(): void {}

  /** The live Map, for subclasses' incremental indexes. */
  protected get map(): ReadonlyMap<string, KindMap[K]> {
    return this.#map;
  }

  #bump(): void {
    this.version++;
    this.#view = new LiveMapView(this.#map);
  }
}
