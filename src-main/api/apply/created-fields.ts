// The managedFields of a create, in one walk. A create's manager owns what the general update path
// (update.ts) computes as the added and modified fields between the kind's zero value and the new
// object, minus the untracked ones, encoded as FieldsV1. Creates are the most frequent write and
// that path builds three field sets, unions and sorts them to get there; this walk follows the
// same comparison (compare.ts's rules, node by node) but writes the FieldsV1 trie directly. A test
// holds the two equal on every example manifest.
import type { Schema } from '../openapi/spec.ts';
import { deepEqual, emptyish, fits } from './compare.ts';
import { compareElements } from './fieldpath.ts';
import type { PathElement } from './fieldpath.ts';
import type { FieldsV1 } from './fields-v1.ts';
import { STRIPPED_METADATA, STRIPPED_TOP } from './managed-fields.ts';
import { entrySchema, getOwn, indexItems, isAtomic, isObject, shapeOf } from './shape.ts';

/** FieldsV1 of what a create of obj (compared with zero, its kind's zero value) gives its manager. */
export function createdFieldsV1(zero: unknown, obj: unknown, schema: Schema | undefined, subresource: string | undefined): FieldsV1 {
  return tracked(walk(zero, obj, schema, true) ?? {}, subresource);
}

// The replicas of one template are created with the same spec, over and over: the spec's part of
// the answer is kept by its text (per kind's schema) and shared. Nothing changes a FieldsV1 once
// built (tracked() copies what it trims), so sharing it is safe.
const specParts = new WeakMap<Schema, Map<string, FieldsV1 | undefined>>();
const SPEC_PARTS_MAX = 256;

function specPart(lhs: unknown, rhs: unknown, schema: Schema): FieldsV1 | undefined {
  let parts = specParts.get(schema);
  if (!parts) specParts.set(schema, (parts = new Map()));
  const text = JSON.stringify(rhs);
  if (parts.has(text)) return parts.get(text);
  const part = walk(lhs, rhs, schema, false);
  if (parts.size >= SPEC_PARTS_MAX) parts.delete(parts.keys().next().value!);
  parts.set(text, part);
  return part;
}

// Each walk returns what goes under the path's key in FieldsV1: `{}` for a changed leaf, the
// changes below (after a "." when the path is new itself), or undefined when nothing changed.

function walk(lhs: unknown, rhs: unknown, schema: Schema | undefined, root: boolean): FieldsV1 | undefined {
  if (lhs === undefined) return added(rhs, schema);
  const shape = shapeOf(schema, rhs !== undefined && rhs !== null ? rhs : lhs);
  const atomic = isAtomic(shape);
  if (atomic || !fits(shape, lhs) || !fits(shape, rhs) || (emptyish(lhs) && emptyish(rhs))) {
    return rhs !== undefined && !deepEqual(lhs, rhs) ? {} : undefined;
  }
  const out: FieldsV1 = {};
  if (shape.kind === 'map') {
    const l = isObject(lhs) ? lhs : {};
    const r = isObject(rhs) ? rhs : {};
    // Field keys sort as their names do.
    for (const name of [...new Set([...Object.keys(l), ...Object.keys(r)])].sort()) {
      const lv = getOwn(l, name);
      const rv = getOwn(r, name);
      if (lv === undefined && rv === undefined) continue;
      const childSchema = entrySchema(shape, name);
      // The zero value's spec follows from the object's, so the object's spec is the whole key.
      const below = root && name === 'spec' && childSchema && lv !== undefined ? specPart(lv, rv, childSchema) : walk(lv, rv, childSchema, false);
      if (below) out[`f:${name}`] = below;
    }
  } else if (shape.kind === 'list') {
    const l = indexItems(shape, Array.isArray(lhs) ? lhs : []);
    const r = indexItems(shape, Array.isArray(rhs) ? rhs : []);
    const seen = new Set<string>();
    const items: Item[] = [];
    for (const { key, element } of [...r.order, ...l.order]) {
      if (seen.has(key)) continue;
      seen.add(key);
      const below = walk(l.items.get(key), r.items.get(key), shape.items, false);
      if (below) items.push([key, element, below]);
    }
    putSorted(out, items);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** walk(undefined, rhs): everything below rhs is new (most of a create), so nothing to compare. */
function added(rhs: unknown, schema: Schema | undefined): FieldsV1 | undefined {
  if (rhs === undefined) return undefined;
  const shape = shapeOf(schema, rhs);
  const atomic = isAtomic(shape);
  if (atomic || emptyish(rhs)) return {};
  const out: FieldsV1 = { '.': {} };
  if (shape.kind === 'map') {
    const r = rhs as Record<string, unknown>;
    for (const name of Object.keys(r).sort()) {
      const below = added(r[name], entrySchema(shape, name));
      if (below) out[`f:${name}`] = below;
    }
  } else if (shape.kind === 'list') {
    const { order, items } = indexItems(shape, rhs as unknown[]);
    const below: Item[] = [];
    for (const { key, element } of order) {
      const item = added(items.get(key), shape.items);
      if (item) below.push([key, element, item]);
    }
    putSorted(out, below);
  }
  return Object.keys(out).length > 1 ? out : {};
}

type Item = [key: string, element: PathElement, below: FieldsV1];

/** Adds list items to out in structured-merge-diff's element order. */
function putSorted(out: FieldsV1, items: Item[]): void {
  items.sort((a, b) => compareElements(a[1], b[1]));
  for (const [key, , below] of items) out[key] = below;
}

/** managed-fields.ts's trackedFields, on FieldsV1: only what the request may own, never bookkeeping. */
function tracked(fields: FieldsV1, subresource: string | undefined): FieldsV1 {
  const statusOnly = subresource === 'status';
  const out: FieldsV1 = {};
  for (const [key, inner] of Object.entries(fields)) if ((key === 'f:status') === statusOnly) out[key] = inner;
  for (const name of STRIPPED_TOP) dropMember(out, `f:${name}`);
  const metadata = out['f:metadata'];
  if (metadata) {
    const kept: FieldsV1 = { ...metadata };
    for (const name of STRIPPED_METADATA) dropMember(kept, `f:${name}`);
    if (Object.keys(kept).length === 0) delete out['f:metadata'];
    else out['f:metadata'] = kept;
  }
  return out;
}

/** Removes the path key as a member of fields, keeping what is below it. */
function dropMember(fields: FieldsV1, key: string): void {
  const inner = fields[key];
  if (!inner) return;
  if ('.' in inner) {
    const { '.': _member, ...below } = inner;
    fields[key] = below;
  } else if (Object.keys(inner).length === 0) {
    delete fields[key];
  }
}
