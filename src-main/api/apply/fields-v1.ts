// The FieldsV1 wire format of a field set (metadata.managedFields[].fieldsV1): a trie of JSON
// objects whose keys are path elements (`f:spec`, `k:{"name":"app"}`, `v:"x"`, `i:0`); `{}` marks
// a member, and `".": {}` marks a member that also has members below it. Keys are written in
// structured-merge-diff's element order so the output is stable and equal to upstream's.
import { compareElements, elementKey, FieldSet, parseElementKey } from './fieldpath.ts';
import type { PathElement } from './fieldpath.ts';

export type FieldsV1 = { [key: string]: FieldsV1 };

// Sets never change once built, so a set's encoding is computed once: an entry that a write
// leaves alone keeps its set (the set operations return an unchanged operand) and its text.
const encoded = new WeakMap<FieldSet, FieldsV1>();

export function encodeFieldsV1(set: FieldSet): FieldsV1 {
  let out = encoded.get(set);
  if (!out) {
    out = {};
    encodeInto(set, out);
    encoded.set(set, out);
  }
  return out;
}

// Field elements are the common case, and `f:` keys sort like their names: compare the keys
// as strings then, and fall back to the element order otherwise.
function byElement(a: [string, PathElement], b: [string, PathElement]): number {
  if (a[0].charCodeAt(0) === 102 && b[0].charCodeAt(0) === 102) return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  return compareElements(a[1], b[1]);
}

function encodeInto(set: FieldSet, out: FieldsV1): void {
  const elements: [string, PathElement][] = [];
  for (const [k, pe] of set.members) elements.push([k, pe]);
  for (const [k, c] of set.children) if (!set.members.has(k)) elements.push([k, c.element]);
  elements.sort(byElement);
  for (const [k] of elements) {
    const child = set.children.get(k);
    const inner: FieldsV1 = {};
    if (child) {
      if (set.members.has(k)) inner['.'] = {};
      encodeInto(child.set, inner);
    }
    out[k] = inner;
  }
}

// Every write of an object decodes its managers' sets again, and most of them are the same from
// one write to the next (and across the replicas of one template): decoded sets are kept by their
// text, newest last, and evicted oldest first.
const decoded = new Map<string, FieldSet>();
const DECODED_MAX = 1024;

/** decodeFieldsV1, sharing the set with every other decode of the same text. */
export function decodeFieldsV1Cached(json: unknown): FieldSet {
  const text = JSON.stringify(json ?? null);
  let set = decoded.get(text);
  if (set) {
    decoded.delete(text);
  } else {
    set = decodeFieldsV1(json);
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
  }
  decoded.set(text, set);
  return set;
}

/** Parses FieldsV1 JSON; throws an Error saying what is wrong when it is not a valid set. */
export function decodeFieldsV1(json: unknown): FieldSet {
  const set = new FieldSet();
  if (json === null || json === undefined) return set;
  if (typeof json !== 'object' || Array.isArray(json)) throw new Error('FieldsV1 must be a JSON object');
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (k === '.') continue; // handled by the caller: it marks the parent as a member
    const pe = parseElementKey(k);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`FieldsV1 value of ${k} must be an object`);
    const inner = v as Record<string, unknown>;
    const names = Object.keys(inner);
    if (names.length === 0 || '.' in inner) set.insert([pe]);
    const below = decodeFieldsV1(inner);
    if (below.isEmpty()) continue;
    // Keys from clients may spell an element differently (key fields in another order): store
    // it under the canonical key so that it matches the element computed from objects.
    const key = elementKey(pe);
    const existing = set.children.get(key);
    set.children.set(key, { element: pe, set: existing ? existing.set.union(below) : below });
  }
  return set;
}
