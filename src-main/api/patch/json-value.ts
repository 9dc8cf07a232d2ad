// Plain JSON values as the patch code sees them: decoded request bodies and stored objects.

export type JSONObject = { [key: string]: unknown };

export function isJSONObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sets an own member. Plain assignment of "__proto__" would change the prototype instead of
 * adding a member, and decoded JSON may well contain that key.
 */
export function setOwn(obj: JSONObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** An own member, never one inherited from Object.prototype. */
export function getOwn(obj: JSONObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A deep copy, so results never share structure with (and later edits never reach) inputs. */
export function cloneJSON<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJSON) as T;
  if (isJSONObject(v)) {
    const out: JSONObject = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, cloneJSON(x));
    return out as T;
  }
  return v;
}

/** Structural equality; object key order does not matter, array order does. */
export function deepEqualJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqualJSON(x, b[i]));
  }
  if (isJSONObject(a)) {
    if (!isJSONObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqualJSON(a[k], b[k]));
  }
  return false;
}

/** A compact rendering of a value for error messages. */
export function showJSON(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
