// Which fields a write added, changed and removed, as structured-merge-diff's Compare reports
// them. An update's manager takes ownership of what it added or changed; everyone loses what it
// removed. Besides leaves, a map, struct or list item that did not exist before counts as added
// itself (that is where the `".": {}` entries of managedFields come from).
import type { Schema } from '../openapi/spec.ts';
import { FieldSet } from './fieldpath.ts';
import type { PathElement } from './fieldpath.ts';
import { entrySchema, getOwn, indexItems, isAtomic, isObject, shapeOf } from './shape.ts';
import type { Shape } from './shape.ts';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compareObjects(lhs: unknown, rhs: unknown, schema: Schema | undefined): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  visit(lhs, rhs, schema, [], c);
  return c;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ak = Object.keys(a).filter((k) => a[k] !== undefined);
    const bk = Object.keys(b).filter((k) => b[k] !== undefined);
    return ak.length === bk.length && ak.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function emptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}

// Whether both sides can be walked as the shape (absent and null fit anything).
export function fits(shape: Shape, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  return shape.kind === 'map' ? isObject(v) : shape.kind === 'list' ? Array.isArray(v) : true;
}

function leaf(lhs: unknown, rhs: unknown, path: PathElement[], c: Comparison): void {
  if (lhs === undefined && rhs === undefined) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
}

function visit(lhs: unknown, rhs: unknown, schema: Schema | undefined, path: PathElement[], c: Comparison): void {
  const shape = shapeOf(schema, rhs !== undefined && rhs !== null ? rhs : lhs);
  const atomic = isAtomic(shape);
  // Empty and null on both sides compare as leaves, which keeps the empty/null distinction.
  if (atomic || !fits(shape, lhs) || !fits(shape, rhs) || (emptyish(lhs) && emptyish(rhs))) {
    leaf(lhs, rhs, path, c);
    return;
  }
  if (shape.kind === 'map') {
    const l = isObject(lhs) ? lhs : {};
    const r = isObject(rhs) ? rhs : {};
    const names = new Set([...Object.keys(l), ...Object.keys(r)]);
    for (const name of names) {
      const lv = getOwn(l, name);
      const rv = getOwn(r, name);
      if (lv === undefined && rv === undefined) continue;
      path.push({ field: name });
      visit(lv, rv, entrySchema(shape, name), path, c);
      path.pop();
    }
  } else if (shape.kind === 'list') {
    const l = indexItems(shape, Array.isArray(lhs) ? lhs : []);
    const r = indexItems(shape, Array.isArray(rhs) ? rhs : []);
    const seen = new Set<string>();
    for (const { key, element } of [...r.order, ...l.order]) {
      if (seen.has(key)) continue;
      seen.add(key);
      path.push(element);
      visit(l.items.get(key), r.items.get(key), shape.items, path, c);
      path.pop();
    }
  }
  if (path.length === 0) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}
