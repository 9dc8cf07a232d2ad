// Owners known not to exist (upstream's absentOwnerCache, an LRU): once a GET has shown that an
// owner is gone, its other dependents need not ask again. Keyed by the full coordinates, so an
// absence seen through one apiVersion or namespace says nothing about another.
import type { ObjectIdentity } from './graph.ts';

const capacity = 500;

function keyOf(id: ObjectIdentity): string {
  return [id.uid, id.apiVersion, id.kind, id.name, id.namespace].join('\u0000');
}

export class AbsentOwnerCache {
  private readonly keys = new Map<string, true>();

  add(id: ObjectIdentity): void {
    const k = keyOf(id);
    this.keys.delete(k);
    this.keys.set(k, true);
    if (this.keys.size > capacity) this.keys.delete(this.keys.keys().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const k = keyOf(id);
    if (!this.keys.has(k)) return false;
    this.keys.delete(k); // most recently used goes last
    this.keys.set(k, true);
    return true;
  }
}
