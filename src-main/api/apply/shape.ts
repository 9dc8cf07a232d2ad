// What the OpenAPI schema says about how a value merges, reduced to the three shapes
// structured-merge-diff knows: scalars, maps (structs and string-keyed maps, granular or atomic)
// and lists (atomic, sets, or associative lists keyed by some of their items' fields). Where the
// schema says nothing (no schema, or an object without properties) the shape is deduced from the
// value as upstream does for untyped data: objects are granular maps, arrays are atomic.
import { resolveSchema } from '../openapi/spec.ts';
import type { Schema } from '../openapi/spec.ts';
import { elementKey as elementKeyOf } from './fieldpath.ts';
import type { PathElement } from './fieldpath.ts';

export type Shape =
  | { kind: 'scalar' }
  | { kind: 'map'; atomic: boolean; schema: Schema | undefined }
  | { kind: 'list'; type: 'atomic' | 'set' | 'map'; keys: string[]; items: Schema | undefined };

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Request bodies may name any key, "__proto__" included: read and write own properties only.
export function getOwn(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

export function setOwn(obj: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, writable: true, enumerable: true, configurable: true });
}

// Shapes are shared and never changed: one per schema, and these for values without one.
const ATOMIC_LIST: Shape = { kind: 'list', type: 'atomic', keys: [], items: undefined };
const GRANULAR_MAP: Shape = { kind: 'map', atomic: false, schema: undefined };
const SCALAR: Shape = { kind: 'scalar' };

function deduced(value: unknown): Shape {
  if (Array.isArray(value)) return ATOMIC_LIST;
  if (isObject(value)) return GRANULAR_MAP;
  return SCALAR;
}

function listShape(s: Schema): Shape {
  const items = s.items;
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'map') return { kind: 'list', type: 'map', keys: s['x-kubernetes-list-map-keys'] ?? [], items };
  if (listType === 'set') return { kind: 'list', type: 'set', keys: [], items };
  if (listType === 'atomic') return { kind: 'list', type: 'atomic', keys: [], items };
  // Older definitions carry only strategic-merge-patch hints; upstream's schema conversion reads
  // a merge strategy as "associative" (keyed by the merge key, or a set of scalars without one).
  const strategy = s['x-kubernetes-patch-strategy'] ?? '';
  if (strategy.split(',').includes('merge')) {
    const key = s['x-kubernetes-patch-merge-key'];
    return key ? { kind: 'list', type: 'map', keys: [key], items } : { kind: 'list', type: 'set', keys: [], items };
  }
  return { kind: 'list', type: 'atomic', keys: [], items };
}

/** What a schema says a value is; undefined when it says nothing (the value decides). */
function declaredShape(s: Schema): Shape | undefined {
  if (s.type === 'array' || s.items) return listShape(s);
  const hasFields = !!s.properties || (!!s.additionalProperties && typeof s.additionalProperties === 'object');
  if (s.type === 'object' || hasFields) return { kind: 'map', atomic: s['x-kubernetes-map-type'] === 'atomic', schema: hasFields ? s : undefined };
  if (s.type) return SCALAR;
  return undefined;
}

// Every node of every write asks: work each schema's shape out once.
const declaredCache = new WeakMap<Schema, Shape | undefined>();

/**
 * The shape of a value at a schema. A value that does not fit the schema (a string where the
 * schema wants an object) is handled by its own shape so that nothing is silently dropped.
 */
export function shapeOf(schema: Schema | undefined, value: unknown): Shape {
  const s = resolved(schema);
  if (!s) return deduced(value);
  let shape = declaredCache.get(s);
  if (shape === undefined && !declaredCache.has(s)) declaredCache.set(s, (shape = declaredShape(s)));
  if (!shape) return deduced(value);
  if (value === undefined || value === null) return shape;
  const fitsShape = shape.kind === 'list' ? Array.isArray(value) : shape.kind === 'map' ? isObject(value) : !isObject(value) && !Array.isArray(value);
  return fitsShape ? shape : deduced(value);
}

/** Whether a value of this shape is replaced whole rather than merged field by field. */
export function isAtomic(shape: Shape): boolean {
  return shape.kind === 'scalar' || (shape.kind === 'map' ? shape.atomic : shape.type === 'atomic');
}

/** The schema of one entry of a map shape (a struct's property or a map's value schema). */
export function entrySchema(shape: Shape & { kind: 'map' }, name: string): Schema | undefined {
  const s = shape.schema;
  if (!s) return undefined;
  const declared = s.properties && Object.hasOwn(s.properties, name) ? s.properties[name] : undefined;
  const entry = declared ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  return resolved(entry);
}

// Every node of every write looks its schema up: follow each $ref once.
const resolvedCache = new WeakMap<Schema, Schema | undefined>();
function resolved(schema: Schema | undefined): Schema | undefined {
  if (!schema || !schema.$ref) return schema;
  if (!resolvedCache.has(schema)) resolvedCache.set(schema, resolveSchema(schema));
  return resolvedCache.get(schema);
}

/** Whether name is a declared property of a struct (as opposed to a key of a map). */
export function isDeclaredField(shape: Shape & { kind: 'map' }, name: string): boolean {
  return !!shape.schema?.properties && Object.hasOwn(shape.schema.properties, name);
}

// Key fields the server defaults. Upstream's schemas carry these defaults, so that a port applied
// without a protocol is the same item as the live port the server gave protocol TCP; the
// OpenAPI v2 document here has no defaults, hence this table.
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The path element naming one item of a set or associative list. */
export function itemElement(shape: Shape & { kind: 'list' }, item: unknown, index: number): PathElement {
  if (shape.type === 'set') return { value: item };
  if (shape.type === 'map' && isObject(item)) {
    const key: Record<string, unknown> = {};
    for (const k of shape.keys) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v !== undefined && v !== null) key[k] = v;
    }
    if (Object.keys(key).length > 0) return { key };
  }
  return { index };
}

/** Indexes a list's items by element; a repeated element keeps its first item, like upstream. */
export function indexItems(
  shape: Shape & { kind: 'list' },
  list: readonly unknown[],
): { order: { key: string; element: PathElement }[]; items: Map<string, unknown> } {
  const order: { key: string; element: PathElement }[] = [];
  const items = new Map<string, unknown>();
  list.forEach((item, i) => {
    const element = itemElement(shape, item, i);
    const key = elementKeyOf(element);
    if (items.has(key)) return;
    items.set(key, item);
    order.push({ key, element });
  });
  return { order, items };
}
