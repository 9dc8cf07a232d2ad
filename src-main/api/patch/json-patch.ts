// JSON patch (RFC 6902) with the behaviour and messages of the library kube-apiserver applies
// `application/json-patch+json` with (evanphx/json-patch v4). A document that is not a list of
// operations is a 400; an operation that cannot be applied (failing test, missing path, bad
// index, unknown op) is a 422; more than 10000 operations is a 413, as upstream limits them.
import { badPatch, invalidPatch, PatchError, withDepthGuard } from './patch-error.ts';
import { cloneJSON, deepEqualJSON, isJSONObject, type JSONObject } from './json-value.ts';
import { addMember, findContainer, getMember, isContainer, PointerError, removeMember, setMember, type Container } from './json-pointer.ts';

/** kube-apiserver's maxJSONPatchOperations. */
export const maxJSONPatchOperations = 10000;

/** The JSON type name Go's decoder reports ("cannot unmarshal string into ..."). */
function goJSONType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function decodeOperations(operations: unknown): JSONObject[] {
  // A JSON null decodes to an empty patch upstream: nothing to do.
  if (operations === null) return [];
  if (!Array.isArray(operations)) throw badPatch(`json: cannot unmarshal ${goJSONType(operations)} into Go value of type jsonpatch.Patch`);
  for (const op of operations) {
    if (op !== null && !isJSONObject(op)) throw badPatch(`json: cannot unmarshal ${goJSONType(op)} into Go value of type jsonpatch.Operation`);
  }
  if (operations.length > maxJSONPatchOperations) {
    throw new PatchError(413, `The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${operations.length}`);
  }
  return operations.map((op) => (op ?? {}) as JSONObject);
}

/** The document being patched; a holder, since "replace" of "" swaps the root itself. */
interface Document {
  root: Container;
}

export function applyJSONPatch(target: unknown, operations: unknown): unknown {
  const ops = decodeOperations(operations);
  return withDepthGuard(() => {
    const root = cloneJSON(target);
    if (!isContainer(root)) throw invalidPatch('invalid JSON document');
    const doc: Document = { root };
    for (const op of ops) applyOperation(doc, op);
    return doc.root;
  });
}

/** The JSON type name Go's decoder reports for a value that should have been a string. */
const notAString = (v: unknown) => `json: cannot unmarshal ${goJSONType(v)} into Go value of type string`;

/**
 * The "path" or "from" of an operation. Upstream words a missing or non-string one differently
 * per operation; these are its messages.
 */
function pointerOf(op: JSONObject, kind: string, field: 'path' | 'from'): string {
  const v = Object.hasOwn(op, field) ? op[field] : null;
  // Upstream's library quietly treats "a/b" like "/b"; RFC 6901 says a pointer starts with "/",
  // and applying such a patch to the wrong place helps nobody.
  if (typeof v === 'string' && v.includes('/') && !v.startsWith('/')) throw invalidPatch(`${kind} operation has an invalid ${field} ${JSON.stringify(v)}: a JSON pointer starts with "/"`);
  if (typeof v === 'string') return v;
  const missing = field === 'path' ? 'operation missing path field: missing value' : 'operation, missing from field: missing value';
  const cause = v === null ? missing : notAString(v);
  // add, remove and the destination of copy report only "missing value", whatever the cause.
  const terse = field === 'path' && (kind === 'add' || kind === 'remove' || kind === 'copy');
  throw invalidPatch(`${kind} operation failed to decode ${field}: ${terse ? 'missing value' : cause}`);
}

const pathOf = (op: JSONObject, kind: string) => pointerOf(op, kind, 'path');
const fromOf = (op: JSONObject, kind: string) => pointerOf(op, kind, 'from');

/** The operation's value; an absent one is null, as upstream's library treats it. */
const valueOf = (op: JSONObject): unknown => cloneJSON(Object.hasOwn(op, 'value') ? op.value : null);

/** Absent members read as undefined; in the document they are null. */
const orNull = (v: unknown): unknown => (v === undefined ? null : v);

/** The reason a container step failed; anything else (a stack overflow) is not ours to word. */
function detail(e: unknown): string {
  if (e instanceof PointerError) return e.message;
  throw e;
}

function applyOperation(doc: Document, op: JSONObject): void {
  const kind = Object.hasOwn(op, 'op') && typeof op.op === 'string' ? op.op : 'unknown';
  switch (kind) {
    case 'add':
      return add(doc, op);
    case 'remove':
      return remove(doc, op);
    case 'replace':
      return replace(doc, op);
    case 'move':
      return move(doc, op);
    case 'copy':
      return copy(doc, op);
    case 'test':
      return test(doc, op);
    default:
      throw invalidPatch(`Unexpected kind: ${kind}`);
  }
}

function add(doc: Document, op: JSONObject): void {
  const path = pathOf(op, 'add');
  const at = findContainer(doc.root, path);
  if (!at) throw invalidPatch(`add operation does not apply: doc is missing path: "${path}": missing value`);
  try {
    addMember(at.container, at.key, valueOf(op));
  } catch (e) {
    throw invalidPatch(`error in add for path: '${path}': ${detail(e)}`);
  }
}

function remove(doc: Document, op: JSONObject): void {
  const path = pathOf(op, 'remove');
  const at = findContainer(doc.root, path);
  if (!at) throw invalidPatch(`remove operation does not apply: doc is missing path: "${path}": missing value`);
  try {
    removeMember(at.container, at.key);
  } catch (e) {
    throw invalidPatch(`error in remove for path: '${path}': ${detail(e)}`);
  }
}

function replace(doc: Document, op: JSONObject): void {
  const path = pathOf(op, 'replace');
  if (path === '') {
    // The whole document; upstream accepts an object or an array (and the server then refuses
    // anything that is not an object of the kind).
    const value = valueOf(op);
    if (!isContainer(value)) throw invalidPatch('replace operation value must be object or array: %!w(<nil>)');
    doc.root = value;
    return;
  }
  const at = findContainer(doc.root, path);
  if (!at) throw invalidPatch(`replace operation does not apply: doc is missing path: ${path}: missing value`);
  try {
    getMember(at.container, at.key);
  } catch {
    throw invalidPatch(`replace operation does not apply: doc is missing key: ${path}: missing value`);
  }
  setMember(at.container, at.key, valueOf(op));
}

function move(doc: Document, op: JSONObject): void {
  const from = fromOf(op, 'move');
  const source = findContainer(doc.root, from);
  if (!source) throw invalidPatch(`move operation does not apply: doc is missing from path: ${from}: missing value`);
  let value: unknown;
  try {
    value = orNull(getMember(source.container, source.key));
    removeMember(source.container, source.key);
  } catch (e) {
    throw invalidPatch(`error in move for path: '${source.key}': ${detail(e)}`);
  }
  const path = pathOf(op, 'move');
  const dest = findContainer(doc.root, path);
  if (!dest) throw invalidPatch(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
  try {
    addMember(dest.container, dest.key, value);
  } catch (e) {
    throw invalidPatch(`error in move for path: '${path}': ${detail(e)}`);
  }
}

function copy(doc: Document, op: JSONObject): void {
  const from = fromOf(op, 'copy');
  const source = findContainer(doc.root, from);
  if (!source) throw invalidPatch(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
  let value: unknown;
  try {
    value = orNull(getMember(source.container, source.key));
  } catch (e) {
    throw invalidPatch(`error in copy for from: '${from}': ${detail(e)}`);
  }
  const path = pathOf(op, 'copy');
  const dest = findContainer(doc.root, path);
  if (!dest) throw invalidPatch(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
  try {
    addMember(dest.container, dest.key, cloneJSON(value));
  } catch (e) {
    throw invalidPatch(`error while adding value during copy: ${detail(e)}`);
  }
}

function test(doc: Document, op: JSONObject): void {
  const path = pathOf(op, 'test');
  const expected = Object.hasOwn(op, 'value') ? op.value : null;
  const failed = () => invalidPatch(`testing value ${path} failed: test failed`);
  if (path === '') {
    if (!deepEqualJSON(doc.root, expected)) throw failed();
    return;
  }
  const at = findContainer(doc.root, path);
  if (!at) throw invalidPatch(`test operation does not apply: is missing path: ${path}: missing value`);
  let actual: unknown;
  try {
    actual = orNull(getMember(at.container, at.key));
  } catch (e) {
    throw invalidPatch(`error in test for path: '${path}': ${detail(e)}`);
  }
  // An absent member equals null, as upstream compares them.
  if (!deepEqualJSON(actual, expected)) throw failed();
}
