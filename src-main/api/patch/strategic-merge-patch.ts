// Strategic merge patch, as kube-apiserver applies `application/strategic-merge-patch+json` and
// as `kubectl apply` (client side) and `kubectl patch` produce it. Maps merge recursively and
// null deletes, as in a JSON merge patch; lists whose schema says
// x-kubernetes-patch-strategy: merge are merged (by x-kubernetes-patch-merge-key for lists of
// maps, as sets for lists of scalars); other lists are replaced. Directives:
//   $patch: replace | delete        in a map: replace it / empty it
//   $patch: delete | replace        as a list item: delete the item with that key / replace list
//   $retainKeys: [...]              drop the live map's members not listed
//   $setElementOrder/<list>: [...]  the final order of <list>
//   $deleteFromPrimitiveList/<list> scalars to remove from a merging list of scalars
// The inputs are never changed and no directive is left in the result.
import type { Schema } from '../openapi/spec.ts';
import { badPatch, internalPatchError, withDepthGuard } from './patch-error.ts';
import { cloneJSON, getOwn, isJSONObject, setOwn, showJSON, type JSONObject } from './json-value.ts';
import { fieldPatchMeta, type FieldPatchMeta } from './patch-meta.ts';
import { deleteFromList, elementKind, mergeList, orderList, validateSetElementOrder } from './strategic-list.ts';

const setElementOrderPrefix = '$setElementOrder';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';

/**
 * Applies `patch` to `target`, the object as stored; `schema` is the root schema of its kind
 * (`schemaFor(group, version, kind)`). Fields the schema does not describe merge like a JSON
 * merge patch.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, schema: Schema | undefined): unknown {
  // A JSON null decodes to an empty patch upstream.
  if (patch === null) return withDepthGuard(() => cloneJSON(target));
  if (!isJSONObject(patch)) {
    const type = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badPatch(`json: cannot unmarshal ${type} into Go value of type map[string]interface {}`);
  }
  return withDepthGuard(() => mergeMap(isJSONObject(target) ? cloneJSON(target) : undefined, patch, schema));
}

/** The list name after `prefix/`; upstream refuses a directive key without the slash. */
function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badPatch(prefix === setElementOrderPrefix ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list');
  }
  return key.slice(slash + 1);
}

const expectedList = (v: unknown) => internalPatchError(`expected a []interface {}, but received ${showJSON(v)}`);

/**
 * Merges `patchIn` into `original` (our own copy, changed in place; undefined when the live
 * object has no such map) and returns the result.
 */
function mergeMap(original: JSONObject | undefined, patchIn: JSONObject, schema: Schema | undefined): JSONObject {
  if (Object.hasOwn(patchIn, '$patch')) {
    const directive = patchIn.$patch;
    if (directive === 'delete') return {};
    if (directive === 'replace') {
      const rest = { ...patchIn };
      delete rest.$patch;
      return mergeMap(undefined, rest, schema);
    }
    throw internalPatchError(`unknown patch type: ${showJSON(directive)} in map: ${showJSON(patchIn)}`);
  }
  const result = original ?? {};
  // A shallow copy, so the directives handled below can be taken out of it.
  const patch: JSONObject = { ...patchIn };
  applyRetainKeys(result, patch);
  applySetElementOrder(result, patch, schema);

  for (const [rawKey, value] of Object.entries(patch)) {
    const isDeleteList = rawKey.startsWith(deleteFromPrimitiveListPrefix);
    const key = isDeleteList ? directiveTarget(rawKey, deleteFromPrimitiveListPrefix) : rawKey;
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = getOwn(result, key);
    // Deleting a map the live object does not have leaves nothing behind, as upstream.
    if (isJSONObject(value) && getOwn(value, '$patch') === 'delete' && !isJSONObject(current)) {
      delete result[key];
      continue;
    }
    if (isDeleteList) {
      if (Array.isArray(current) && Array.isArray(value)) setOwn(result, key, deleteFromList(current, value));
      continue;
    }
    setOwn(result, key, mergeValue(current, value, fieldPatchMeta(schema, key)));
  }
  return result;
}

function mergeValue(current: unknown, value: unknown, meta: FieldPatchMeta): unknown {
  if (isJSONObject(value)) {
    if (meta.strategy === 'replace') return normalize(value, meta.schema);
    return mergeMap(isJSONObject(current) ? current : undefined, value, meta.schema);
  }
  if (Array.isArray(value)) {
    if (meta.strategy === 'merge') return mergeList(Array.isArray(current) ? current : [], value, meta.mergeKey, itemMerger(meta.itemSchema));
    return value.map((item) => normalize(item, meta.itemSchema));
  }
  return value;
}

const itemMerger = (itemSchema: Schema | undefined) => (original: JSONObject | undefined, patch: JSONObject) => mergeMap(original, patch, itemSchema);

/** A value taken whole from the patch: copied, with its directives applied to nothing. */
function normalize(value: unknown, schema: Schema | undefined): unknown {
  if (isJSONObject(value)) return mergeMap(undefined, value, schema);
  if (Array.isArray(value)) return value.map((item) => normalize(item, undefined));
  return value;
}

/** $retainKeys: every member the patch sets must be listed; live members not listed go. */
function applyRetainKeys(result: JSONObject, patch: JSONObject): void {
  if (!Object.hasOwn(patch, '$retainKeys')) return;
  const keep = patch.$retainKeys;
  delete patch.$retainKeys;
  if (!Array.isArray(keep)) throw badPatch('invalid patch format of retainKeys');
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(deleteFromPrimitiveListPrefix) || key.startsWith(setElementOrderPrefix)) continue;
    if (!keep.includes(key)) throw badPatch('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(result)) if (!keep.includes(key)) delete result[key];
}

/**
 * $setElementOrder/<list>: merges <list> (when the patch has it) and orders the result; the
 * list is then taken out of the patch so the main loop does not merge it again.
 */
function applySetElementOrder(result: JSONObject, patch: JSONObject, schema: Schema | undefined): void {
  for (const rawKey of Object.keys(patch)) {
    if (!rawKey.startsWith(setElementOrderPrefix)) continue;
    const order = patch[rawKey];
    delete patch[rawKey];
    if (!Array.isArray(order)) throw expectedList(order);
    const key = directiveTarget(rawKey, setElementOrderPrefix);
    const live = getOwn(result, key);
    const patchList = getOwn(patch, key);
    if (live !== undefined && !Array.isArray(live)) throw expectedList(live);
    if (patchList !== undefined && !Array.isArray(patchList)) throw expectedList(patchList);
    const meta = fieldPatchMeta(schema, key);
    validateSetElementOrder(patchList ?? [], order, meta.mergeKey);
    if (live === undefined && patchList === undefined) continue;

    let merged: unknown[];
    if (patchList === undefined) merged = live ?? [];
    else if (meta.strategy === 'merge') merged = mergeList(live ?? [], patchList, meta.mergeKey, itemMerger(meta.itemSchema));
    else merged = patchList.map((item) => normalize(item, meta.itemSchema));
    // Only to refuse the lists upstream refuses (lists of lists, mixed lists).
    elementKind(live ?? [], patchList ?? []);
    setOwn(result, key, orderList(merged, order, live ?? [], meta.mergeKey));
    delete patch[key];
  }
}
