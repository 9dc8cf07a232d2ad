// Merging an applied configuration into the live object, the structured-merge-diff way: what the
// configuration sets wins; maps and structs merge key by key; associative lists and sets merge
// item by item (by key fields or value); atomic lists and maps are replaced whole. Nothing is
// removed here: removing what an applier stopped applying is prune.ts's job.
import type { Schema } from '../openapi/spec.ts';
import { entrySchema, getOwn, indexItems, isObject, setOwn, shapeOf } from './shape.ts';

export function mergeObjects(live: unknown, applied: unknown, schema: Schema | undefined): unknown {
  if (applied === undefined) return live;
  if (live === undefined) return applied;
  const shape = shapeOf(schema, applied !== null ? applied : live);
  if (shape.kind === 'map' && !shape.atomic && isObject(live) && (isObject(applied) || applied === null)) {
    // A null for a map that has content keeps the content, as upstream's merge does.
    if (applied === null) return Object.keys(live).length === 0 ? null : live;
    const out: Record<string, unknown> = { ...live };
    for (const [name, value] of Object.entries(applied)) {
      if (value === undefined) continue;
      setOwn(out, name, mergeObjects(getOwn(live, name), value, entrySchema(shape, name)));
    }
    return out;
  }
  if (shape.kind === 'list' && shape.type !== 'atomic' && Array.isArray(live) && Array.isArray(applied)) {
    return mergeLists(shape, live, applied);
  }
  return applied;
}

type ListShape = Extract<ReturnType<typeof shapeOf>, { kind: 'list' }>;

/**
 * Items only in the live list keep their place relative to each other; items the configuration
 * names come in the configuration's order, merged with their live counterparts. This follows
 * upstream's walk over both lists, so that re-applying never reorders a list needlessly.
 */
function mergeLists(shape: ListShape, live: unknown[], applied: unknown[]): unknown[] {
  const l = indexItems(shape, live);
  const r = indexItems(shape, applied);
  const shared = r.order.filter((e) => l.items.has(e.key)).map((e) => e.key);
  let nextShared = 0;
  const done = new Set<string>();
  const out: unknown[] = [];
  const take = (key: string) => {
    done.add(key);
    out.push(mergeObjects(l.items.get(key), r.items.get(key), shape.items));
  };
  let li = 0;
  let ri = 0;
  while (li < l.order.length || ri < r.order.length) {
    if (li < l.order.length && done.has(l.order[li].key)) {
      li++;
      continue;
    }
    if (li < l.order.length && ri < r.order.length) {
      const lk = l.order[li].key;
      if (lk === r.order[ri].key) {
        take(lk);
        li++;
        ri++;
        if (shared[nextShared] === lk) nextShared++;
        continue;
      }
      // A live item the configuration also has, but later: wait for it there.
      if (r.items.has(lk) && shared[nextShared] !== lk) {
        li++;
        continue;
      }
    }
    if (li < l.order.length && !r.items.has(l.order[li].key)) {
      out.push(l.items.get(l.order[li].key));
      done.add(l.order[li].key);
      li++;
      continue;
    }
    if (ri < r.order.length) {
      const rk = r.order[ri].key;
      ri++;
      if (done.has(rk)) continue;
      take(rk);
      if (shared[nextShared] === rk) nextShared++;
      continue;
    }
    li++;
  }
  return out;
}
