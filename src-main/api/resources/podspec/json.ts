// Small guards for reading untyped JSON bodies: a request may carry any shape, and validation
// must report, not crash, when a field is not what its type says.

/** Narrows typed values to their object member, untyped ones to a string-keyed record. */
export function isRecord<T>(value: T): value is T & (unknown extends T ? Record<string, unknown> : object) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? (value as Record<string, unknown>) : {};
}

/** The elements of an array field, or none when it is absent or not an array. */
export function items<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Deep equality of JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Removes null-valued fields, recursively. Go's decoder turns a JSON null into the zero value,
 * which for the optional fields of these kinds is "absent"; upstream never stores the null.
 */
export function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) dropNulls(v);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else dropNulls(v);
    }
  }
}
