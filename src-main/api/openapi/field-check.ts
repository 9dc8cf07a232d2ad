// Field checks that kube-apiserver gets from decoding JSON into Go structs, done here against
// the upstream schema of the kind:
//  - unknown fields, for fieldValidation=Strict (400 "strict decoding error: unknown field
//    \"spec.foo\"") and Warn (a warning per field), and to drop them (Ignore, Warn) as the Go
//    decoder does;
//  - JSON type mismatches (a string where an int32 goes), which upstream answers with 400 and
//    encoding/json's message, whatever fieldValidation says.
// Paths of unknown fields are written as upstream's strict decoder writes them:
// `spec.template.spec.containers[0].imagePullPolicyy`.
import { kindNode, type FieldNode } from './field-schema.ts';

export interface FieldCheckResult {
  /** Paths of fields the schema does not know, in the order they appear. */
  unknown: string[];
  /** Decoding errors, worded like encoding/json's (first one is what upstream reports). */
  typeErrors: string[];
}

/** The pattern upstream quotes when a Quantity does not parse. */
const QUANTITY_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How encoding/json names a JSON value in "cannot unmarshal X into ...". */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'number';
    default: return 'object';
  }
}

interface Walk {
  unknown: string[];
  typeErrors: string[];
  /** Delete unknown fields instead of reporting them. */
  prune: boolean;
  /** Visit object keys in sorted order (see FieldCheckOptions). */
  sortKeys: boolean;
}

export interface FieldCheckOptions {
  /**
   * Report in sorted key order, as upstream does for YAML bodies: it converts YAML to JSON
   * through a Go map, which sorts keys, before decoding. JSON bodies keep document order.
   */
  sortKeys?: boolean;
}

/** Where the walk is: the user-facing path, and what encoding/json would say (struct + field names). */
interface Position {
  path: string;
  struct: string;
  goPath: string;
}

function typeError(w: Walk, pos: Position, value: string, goType: string): void {
  w.typeErrors.push(pos.struct
    ? `json: cannot unmarshal ${value} into Go struct field ${pos.struct}.${pos.goPath} of type ${goType}`
    : `json: cannot unmarshal ${value} into Go value of type ${goType}`);
}

function integerProblem(value: number, bits: 32 | 64 | undefined): boolean {
  if (!Number.isInteger(value)) return true;
  return bits === 32 ? value < INT32_MIN || value > INT32_MAX : !Number.isSafeInteger(value) && Math.abs(value) >= 2 ** 63;
}

function base64Problem(value: string): number | undefined {
  const text = value.replace(/[\r\n]/g, '');
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return bad;
  const padding = text.indexOf('=');
  if (padding >= 0 && !/^={1,2}$/.test(text.slice(padding))) return padding;
  if (text.length % 4 !== 0) return text.length - (text.length % 4);
  return undefined;
}

function checkScalar(w: Walk, node: Extract<FieldNode, { kind: 'scalar' }>, value: unknown, pos: Position): void {
  switch (node.type) {
    case 'string':
      if (typeof value !== 'string') typeError(w, pos, jsonKind(value), node.goType);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError(w, pos, jsonKind(value), node.goType);
      return;
    case 'number':
      if (typeof value !== 'number') typeError(w, pos, jsonKind(value), node.goType);
      return;
    case 'integer':
      if (typeof value !== 'number') typeError(w, pos, jsonKind(value), node.goType);
      else if (integerProblem(value, node.bits)) typeError(w, pos, `number ${value}`, node.goType);
      return;
    case 'int-or-string':
      // IntOrString reads a JSON string as its string form and anything else as an int32.
      if (typeof value === 'string') return;
      if (typeof value !== 'number') typeError(w, pos, jsonKind(value), 'int32');
      else if (integerProblem(value, 32)) typeError(w, pos, `number ${value}`, 'int32');
      return;
    case 'quantity':
      if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' || !QUANTITY.test(value.trim())) {
        w.typeErrors.push(QUANTITY_MESSAGE);
      }
      return;
    case 'bytes': {
      if (typeof value !== 'string') { typeError(w, pos, jsonKind(value), node.goType); return; }
      const at = base64Problem(value);
      if (at !== undefined) w.typeErrors.push(`illegal base64 data at input byte ${at}`);
      return;
    }
  }
}

function keysOf(w: Walk, value: Record<string, unknown>): string[] {
  return w.sortKeys ? Object.keys(value).sort() : Object.keys(value);
}

function walk(w: Walk, node: FieldNode, value: unknown, pos: Position, root: boolean): void {
  // JSON null decodes to the zero value of any Go type: never an error.
  if (value === null || value === undefined) return;
  switch (node.kind) {
    case 'any':
      return;
    case 'scalar':
      checkScalar(w, node, value, pos);
      return;
    case 'array':
      if (!Array.isArray(value)) { typeError(w, pos, jsonKind(value), node.goType); return; }
      for (let i = 0; i < value.length; i++) walk(w, node.items, value[i], { ...pos, path: `${pos.path}[${i}]` }, false);
      return;
    case 'map':
      if (!isObject(value)) { typeError(w, pos, jsonKind(value), node.goType); return; }
      for (const key of keysOf(w, value)) walk(w, node.values, value[key], { ...pos, path: pos.path ? `${pos.path}.${key}` : key }, false);
      return;
    case 'struct':
      if (!isObject(value)) { typeError(w, pos, jsonKind(value), node.goType); return; }
      for (const key of keysOf(w, value)) {
        const field = node.fields.get(key);
        const path = pos.path ? `${pos.path}.${key}` : key;
        if (!field) {
          // Every object carries apiVersion and kind, whether or not its schema lists them.
          if (root && (key === 'apiVersion' || key === 'kind')) continue;
          if (w.prune) delete value[key];
          else w.unknown.push(path);
          continue;
        }
        walk(w, field, value[key], { path, struct: node.structName, goPath: pos.goPath ? `${pos.goPath}.${key}` : key }, false);
      }
      return;
  }
}

/**
 * Unknown fields and type errors of obj against the schema of group/version/kind. A kind
 * without an upstream schema has nothing to check: both lists come back empty.
 */
export function checkFields(group: string, version: string, kind: string, obj: unknown, options: FieldCheckOptions = {}): FieldCheckResult {
  const w: Walk = { unknown: [], typeErrors: [], prune: false, sortKeys: options.sortKeys ?? false };
  const node = kindNode(group, version, kind);
  if (node) walk(w, node, obj, { path: '', struct: '', goPath: '' }, true);
  return { unknown: w.unknown, typeErrors: w.typeErrors };
}

/** Deletes, in place, the fields checkFields reports as unknown (what upstream's decoder drops). */
export function pruneUnknownFields(group: string, version: string, kind: string, obj: unknown): void {
  const node = kindNode(group, version, kind);
  if (node) walk({ unknown: [], typeErrors: [], prune: true, sortKeys: false }, node, obj, { path: '', struct: '', goPath: '' }, true);
}

/**
 * The message of a 400 for fieldValidation=Strict, from unknown field paths, as kube-apiserver
 * words it (the server prefixes `<Kind> in version "<v>" cannot be handled as a <Kind>: `).
 */
export function strictDecodingMessage(unknown: readonly string[]): string {
  return strictDecodingMessageOf(unknownFieldWarnings(unknown));
}

/** The same from error fragments, such as strictJSONFieldErrors returns. */
export function strictDecodingMessageOf(fragments: readonly string[]): string {
  return `strict decoding error: ${fragments.join(', ')}`;
}

/** The warnings for fieldValidation=Warn (one per unknown field), as kube-apiserver words them. */
export function unknownFieldWarnings(unknown: readonly string[]): string[] {
  return unknown.map((p) => `unknown field "${p}"`);
}
