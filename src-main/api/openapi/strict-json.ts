// The strict-decoding errors of a JSON request body, in kube-apiserver's order and wording:
// unknown fields and duplicate fields, as its JSON decoder meets them reading the text, e.g.
//   duplicate field "metadata.name", unknown field "spec.unknown1", duplicate field "spec.paused"
// JSON.parse keeps the last of duplicate keys silently, so this reads the text itself. Like
// upstream: a key that is unknown is reported once as unknown (never as duplicate), nothing
// inside an unknown field or a free-form value (RawExtension, FieldsV1) is looked at, and at
// most 100 errors are kept.
import { kindNode, type FieldNode } from './field-schema.ts';

const MAX_ERRORS = 100;

class JSONReader {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  /** Reads a string literal at pos (the opening quote) and returns its value. */
  string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 0x5c) { escaped = true; i += 2; continue; }
      if (c === 0x22) break;
      i++;
    }
    this.pos = i + 1;
    if (!escaped) return t.slice(start + 1, i);
    try {
      return JSON.parse(t.slice(start, i + 1)) as string;
    } catch {
      return t.slice(start + 1, i); // malformed text: callers are meant to pass parsed JSON only
    }
  }

  /** Skips any value at pos. */
  skipValue(): void {
    const c = this.peek();
    if (c === '"') { this.string(); return; }
    if (c !== '{' && c !== '[') {
      while (this.pos < this.text.length && !',}] \n\r\t'.includes(this.text[this.pos] as string)) this.pos++;
      return;
    }
    let depth = 0;
    const t = this.text;
    while (this.pos < t.length) {
      const ch = t[this.pos];
      if (ch === '"') { this.string(); continue; }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') depth--;
      this.pos++;
      if (depth === 0) return;
    }
  }

  /** Consumes a separator if it is next: ',' ':' . */
  accept(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }
}

interface Collected {
  errors: string[];
  seen: Set<string>;
}

function add(out: Collected, message: string): void {
  if (out.errors.length >= MAX_ERRORS || out.seen.has(message)) return;
  out.seen.add(message);
  out.errors.push(message);
}

function readValue(r: JSONReader, node: FieldNode, path: string, out: Collected, root: boolean): void {
  const c = r.peek();
  if (c === '{' && (node.kind === 'struct' || node.kind === 'map')) return readObject(r, node, path, out, root);
  if (c === '[' && node.kind === 'array') return readArray(r, node.items, path, out);
  // Scalars, free-form values and type mismatches (reported by checkFields) are skipped.
  r.skipValue();
}

function readObject(r: JSONReader, node: Extract<FieldNode, { kind: 'struct' | 'map' }>, path: string, out: Collected, root: boolean): void {
  r.pos++; // '{'
  const seen = new Set<string>();
  while (r.peek() === '"') {
    const key = r.string();
    r.accept(':');
    const childPath = path ? `${path}.${key}` : key;
    const child = node.kind === 'map' ? node.values : node.fields.get(key);
    if (!child) {
      if (root && (key === 'apiVersion' || key === 'kind')) {
        if (seen.has(key)) add(out, `duplicate field "${childPath}"`);
        seen.add(key);
      } else {
        add(out, `unknown field "${childPath}"`);
      }
      r.skipValue();
    } else {
      if (seen.has(key)) add(out, `duplicate field "${childPath}"`);
      seen.add(key);
      readValue(r, child, childPath, out, false);
    }
    r.accept(',');
  }
  r.accept('}');
}

function readArray(r: JSONReader, items: FieldNode, path: string, out: Collected): void {
  r.pos++; // '['
  let i = 0;
  while (r.peek() !== ']' && r.pos < r.text.length) {
    const before = r.pos;
    readValue(r, items, `${path}[${i}]`, out, false);
    i++;
    // Malformed text could stop the reader on a stray '}': never loop in place.
    if (!r.accept(',') && r.pos === before) break;
  }
  r.accept(']');
}

/**
 * Strict-decoding error fragments (`unknown field "spec.foo"`, `duplicate field "spec.paused"`)
 * of a JSON body that JSON.parse accepted, in upstream's order. Empty for kinds without a schema.
 * Join them with strictDecodingMessage for fieldValidation=Strict; each is a warning for Warn.
 */
export function strictJSONFieldErrors(group: string, version: string, kind: string, text: string): string[] {
  const node = kindNode(group, version, kind);
  if (!node) return [];
  const out: Collected = { errors: [], seen: new Set() };
  readValue(new JSONReader(text), node, '', out, true);
  return out.errors;
}
