// JSON pointers (RFC 6901) as JSON patch walks them, with the quirks of the patch library
// kube-apiserver uses (evanphx/json-patch v4): array indices are parsed like Go's strconv.Atoi
// (a sign is accepted, negative indices count from the end), and only "-" means "append".
import { isJSONObject, setOwn, type JSONObject } from './json-value.ts';

export type Container = JSONObject | unknown[];

/** Why a container operation failed; the caller wraps it in the operation's own message. */
export class PointerError extends Error {}

/** "~1" is "/" and "~0" is "~", decoded in one left-to-right pass. */
export function decodeToken(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/**
 * The container that holds the last token of `path`, and that token; undefined when the path
 * does not start with "/" or any step on the way does not exist or is not an object or array.
 */
export function findContainer(doc: unknown, path: string): { container: Container; key: string } | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2 || !isContainer(doc)) return undefined;
  let current: Container = doc;
  for (const token of tokens.slice(1, -1)) {
    let next: unknown;
    try {
      next = getMember(current, decodeToken(token));
    } catch {
      return undefined;
    }
    if (!isContainer(next)) return undefined;
    current = next;
  }
  return { container: current, key: decodeToken(tokens[tokens.length - 1]) };
}

export function isContainer(v: unknown): v is Container {
  return Array.isArray(v) || isJSONObject(v);
}

/** Go's strconv.Atoi: an optional sign and decimal digits. */
function atoi(key: string): number {
  if (!/^[+-]?\d+$/.test(key)) throw new PointerError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const n = Number(key);
  if (!Number.isSafeInteger(n)) throw new PointerError(`strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`);
  return n;
}

const invalidIndex = (idx: number) => new PointerError(`Unable to access invalid index: ${idx}: invalid index referenced`);

/** An existing index of `list` for `key`; negative indices count from the end. */
function existingIndex(list: unknown[], key: string): number {
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -list.length) throw invalidIndex(idx);
    idx += list.length;
  }
  if (idx >= list.length) throw invalidIndex(idx);
  return idx;
}

/**
 * A member; an absent object member reads as undefined without error, as upstream's library
 * reads it (so "replace" of an absent member adds it, and "copy" from one copies null).
 */
export function getMember(container: Container, key: string): unknown {
  if (Array.isArray(container)) return container[existingIndex(container, key)];
  return Object.hasOwn(container, key) ? container[key] : undefined;
}

export function addMember(container: Container, key: string, value: unknown): void {
  if (!Array.isArray(container)) {
    setOwn(container, key, value);
    return;
  }
  if (key === '-') {
    container.push(value);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new PointerError(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  // Inserting may target one past the end, so the bounds are those of the grown list.
  const size = container.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  container.splice(idx, 0, value);
}

export function removeMember(container: Container, key: string): void {
  if (Array.isArray(container)) {
    container.splice(existingIndex(container, key), 1);
    return;
  }
  if (!Object.hasOwn(container, key)) throw new PointerError(`Unable to remove nonexistent key: ${key}: missing value`);
  delete container[key];
}

export function setMember(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container)) container[existingIndex(container, key)] = value;
  else setOwn(container, key, value);
}
