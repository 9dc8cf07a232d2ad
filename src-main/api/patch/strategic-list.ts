// The list half of strategic merge patch: merging lists by merge key (or as sets of scalars),
// the $patch directives of list items, and the element order rules of upstream's
// "preserve order in strategic merge patch" design: $setElementOrder first, then the order of
// the patch, then the order of the live list.
import { internalPatchError, invalidPatch } from './patch-error.ts';
import { deepEqualJSON, getOwn, isJSONObject, showJSON, type JSONObject } from './json-value.ts';

/** Merges one item of a list of maps (patch item into live item, or into nothing). */
export type MergeItem = (original: JSONObject | undefined, patch: JSONObject) => JSONObject;

export type ElementKind = 'object' | 'string' | 'number' | 'boolean' | 'null';

/** The one kind of element in the given lists; lists of lists and mixed lists are refused. */
export function elementKind(...lists: unknown[][]): ElementKind | undefined {
  let kind: ElementKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) throw invalidPatch('lists of lists are not supported');
      const k = (v === null ? 'null' : typeof v) as ElementKind;
      if (kind !== undefined && k !== kind) throw internalPatchError(`list element types are not identical: ${showJSON(lists)}`);
      kind = k;
    }
  }
  return kind;
}

export const noMergeKey = (item: unknown, mergeKey: string) =>
  internalPatchError(`map: ${showJSON(item)} does not contain declared merge key: ${mergeKey}`);

/** What identifies an item: its merge key value in lists of maps, the item itself otherwise. */
function identity(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  return isJSONObject(item) ? getOwn(item, mergeKey) : undefined;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string): number {
  const id = identity(item, mergeKey);
  if (id === undefined) return -1;
  return list.findIndex((x) => deepEqualJSON(identity(x, mergeKey), id));
}

/**
 * Orders a merged list: items named in `order` follow it; the others ("server-only") keep the
 * live order and are interleaved where the live list puts them relative to the ordered ones.
 */
export function orderList(merged: unknown[], order: unknown[], serverOrder: unknown[], mergeKey: string): unknown[] {
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) (indexIn(order, v, mergeKey) >= 0 ? patchItems : serverOnly).push(v);
  const sortBy = (items: unknown[], by: unknown[]) => {
    const rank = (v: unknown) => {
      const i = indexIn(by, v, mergeKey);
      return i >= 0 ? i : Number.MAX_SAFE_INTEGER;
    };
    return items.map((v) => ({ v, r: rank(v) })).sort((a, b) => a.r - b.r).map((x) => x.v);
  };
  const left = sortBy(serverOnly, serverOrder);
  const right = sortBy(patchItems, order);
  // Upstream's mergeSortedSlice: a server-only item goes first only when the live list has it
  // before the next ordered item; items new to the live list never outrank ordered ones.
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** A list with merge strategy: scalars form a set, maps merge item by item on `mergeKey`. */
export function mergeList(original: unknown[], patch: unknown[], mergeKey: string, mergeItem: MergeItem): unknown[] {
  if (original.length === 0 && patch.length === 0) return [];
  const kind = elementKind(original, patch);
  if (kind !== 'object') {
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => deepEqualJSON(m, v))) merged.push(v);
    return orderList(merged, patch, original, '');
  }
  if (!mergeKey) throw internalPatchError('cannot merge lists without merge key for type map');

  // Items with a $patch directive act on the whole list and are not items themselves.
  let live = original;
  let rest: JSONObject[] = [];
  let replace = false;
  for (const item of patch as JSONObject[]) {
    if (!Object.hasOwn(item, '$patch')) {
      rest.push(item);
      continue;
    }
    const directive = item.$patch;
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      live = live.filter((o) => !deepEqualJSON(identity(o, mergeKey), item[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw internalPatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw internalPatchError(`unknown patch type: ${showJSON(directive)} in map: ${showJSON(item)}`);
    }
  }
  if (replace) {
    live = rest.map((item) => mergeItem(undefined, item));
    rest = [];
  }

  const merged = [...live];
  for (const item of rest) {
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const at = merged.findIndex((o) => deepEqualJSON(identity(o, mergeKey), item[mergeKey]));
    if (at >= 0) merged[at] = mergeItem(merged[at] as JSONObject, item);
    else merged.push(mergeItem(undefined, item));
  }
  return orderList(merged, rest, live, mergeKey);
}

/** $deleteFromPrimitiveList/<list>: drops the given scalars from the live list. */
export function deleteFromList(current: unknown[], toDelete: unknown[]): unknown[] {
  return current.filter((v) => !toDelete.some((d) => deepEqualJSON(d, v)));
}

const sameItem = (a: unknown, b: unknown, mergeKey: string): boolean => {
  if (!mergeKey) return deepEqualJSON(a, b);
  if (!isJSONObject(a) || !isJSONObject(b)) throw internalPatchError(`expected a map[string]interface {}, but received ${showJSON(isJSONObject(a) ? b : a)}`);
  if (!Object.hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
  if (!Object.hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
  return deepEqualJSON(a[mergeKey], b[mergeKey]);
};

/**
 * The patch list must name its items in the same relative order as $setElementOrder, and only
 * items it names (deletions aside).
 */
export function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const kept = mergeKey ? patchList.filter((item) => !(isJSONObject(item) && getOwn(item, '$patch') === 'delete')) : patchList;
  let p = 0;
  let s = 0;
  while (p < kept.length && s < order.length) {
    if (isJSONObject(kept[p]) && Object.hasOwn(kept[p] as JSONObject, '$patch')) {
      p++;
      continue;
    }
    if (sameItem(kept[p], order[s], mergeKey)) p++;
    s++;
  }
  if (p < kept.length && s >= order.length) {
    throw internalPatchError(`the order in patch list:\n${showJSON(patchList)}\n doesn't match $setElementOrder list:\n${showJSON(order)}`);
  }
}
