// The renderer's copy of one kind: replaced wholesale by a snapshot, patched by deltas. The map
// is swapped, not mutated, so one batch of changes is one reactive update (and objects are not
// wrapped in deep proxies, which would cost on big live tables).
import { objectKey, type Change, type KindMap, type KindName } from '../../src-main/bridge/protocol.ts';

export class KindStore<K extends KindName> {
  readonly kind: K;
  items = $state.raw(new Map<string, KindMap[K]>());
  /** False until the first snapshot: lets views say "loading" instead of "none". */
  loaded = $state(false);

  constructor(kind: K) {
    this.kind = kind;
  }

  replace(objects: KindMap[K][]): void {
    this.items = new Map(objects.map((o) => [objectKey(o), o]));
    this.loaded = true;
  }

  apply(changes: Change[]): void {
    const mine = changes.filter((c) => c.kind === this.kind);
    if (mine.length === 0) return;
    const next = new Map(this.items);
    for (const c of mine) {
      if (c.op === 'delete') next.delete(c.key);
      else next.set(objectKey(c.object), c.object as KindMap[K]);
    }
    this.items = next;
  }
}
