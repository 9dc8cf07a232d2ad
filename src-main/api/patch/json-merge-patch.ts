// JSON merge patch (RFC 7386), as kube-apiserver applies `application/merge-patch+json`:
// objects merge key by key, null deletes, anything else (arrays included) replaces.
import { withDepthGuard } from './patch-error.ts';
import { cloneJSON, getOwn, isJSONObject, setOwn, type JSONObject } from './json-value.ts';

export function applyJSONMergePatch(target: unknown, patch: unknown): unknown {
  // Work on a copy of the target; values taken from the patch are copied by withoutNulls.
  return withDepthGuard(() => merge(cloneJSON(target), patch));
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isJSONObject(patch)) return withoutNulls(patch);
  const result: JSONObject = isJSONObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, merge(getOwn(result, key), value));
  }
  return result;
}

/**
 * A replacing value loses the nulls of the objects inside it (lists keep their null items).
 * RFC 7386 would keep them; upstream's library prunes them, and for API objects a null field
 * means the same as an absent one, so storing none is the better choice.
 */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isJSONObject(v)) {
    const out: JSONObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) setOwn(out, k, withoutNulls(x));
    return out;
  }
  return v;
}
