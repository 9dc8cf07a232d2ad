// Encodes a swagger 2.0 JSON document as the gnostic `openapi.v2.Document` protobuf message
// (github.com/google/gnostic-models, openapiv2/OpenAPIv2.proto), the form kubectl <= 1.28 asks
// for with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
//
// Field numbers below are the ones of that .proto. gnostic carries free-form values (vendor
// extensions, defaults, enums) as `Any { string yaml = 2 }`; kubectl parses that text with a
// YAML parser, so JSON text (which is YAML) is written there.
import { ProtoWriter } from './protobuf-writer.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strList = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;

/** Any { yaml = 2 } */
function writeAny(w: ProtoWriter, value: unknown): void {
  w.string(2, JSON.stringify(value) ?? 'null');
}

/** repeated NamedAny { name = 1; Any value = 2 } for every `x-` key of obj. */
function writeVendorExtensions(w: ProtoWriter, field: number, obj: Json): void {
  for (const [key, value] of Object.entries(obj)) {
    if (!key.startsWith('x-')) continue;
    w.message(field, (n) => {
      n.string(1, key);
      n.message(2, (a) => writeAny(a, value));
    });
  }
}

export function writeSchema(w: ProtoWriter, s: Json): void {
  w.string(1, str(s.$ref));
  w.string(2, str(s.format));
  w.string(3, str(s.title));
  w.string(4, str(s.description));
  if ('default' in s) w.message(5, (a) => writeAny(a, s.default));
  w.double(6, num(s.multipleOf));
  w.double(7, num(s.maximum));
  w.bool(8, bool(s.exclusiveMaximum));
  w.double(9, num(s.minimum));
  w.bool(10, bool(s.exclusiveMinimum));
  w.uint(11, num(s.maxLength));
  w.uint(12, num(s.minLength));
  w.string(13, str(s.pattern));
  w.uint(14, num(s.maxItems));
  w.uint(15, num(s.minItems));
  w.bool(16, bool(s.uniqueItems));
  w.uint(17, num(s.maxProperties));
  w.uint(18, num(s.minProperties));
  w.strings(19, strList(s.required));
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => writeAny(a, e));
  const ap = s.additionalProperties;
  if (isObject(ap)) w.message(21, (m) => m.message(1, (x) => writeSchema(x, ap)));
  else if (typeof ap === 'boolean') w.message(21, (m) => m.oneofBool(2, ap));
  const types = strList(s.type);
  if (types) w.message(22, (m) => m.strings(1, types));
  const items = s.items;
  if (items !== undefined) {
    const list = Array.isArray(items) ? items.filter(isObject) : isObject(items) ? [items] : [];
    w.message(23, (m) => { for (const i of list) m.message(1, (x) => writeSchema(x, i)); });
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) if (isObject(sub)) w.message(24, (x) => writeSchema(x, sub));
  const props = s.properties;
  if (isObject(props)) {
    w.message(25, (m) => {
      for (const [name, sub] of Object.entries(props)) {
        if (!isObject(sub)) continue;
        m.message(1, (n) => n.string(1, name).message(2, (x) => writeSchema(x, sub)));
      }
    });
  }
  w.string(26, str(s.discriminator));
  w.bool(27, bool(s.readOnly));
  if ('example' in s) w.message(30, (a) => writeAny(a, s.example));
  writeVendorExtensions(w, 31, s);
}

/** PrimitivesItems: the `items` of a non-body parameter. */
function writePrimitivesItems(w: ProtoWriter, s: Json): void {
  w.string(1, str(s.type));
  w.string(2, str(s.format));
  if (isObject(s.items)) { const items = s.items; w.message(3, (x) => writePrimitivesItems(x, items)); }
  w.string(4, str(s.collectionFormat));
  if ('default' in s) w.message(5, (a) => writeAny(a, s.default));
  writeVendorExtensions(w, 18, s);
}

/**
 * The four non-body parameter sub-schemas share a layout; query and formData have
 * allow_empty_value at 5, which shifts every later field by one.
 */
function writeNonBodySubSchema(w: ProtoWriter, p: Json, hasAllowEmpty: boolean): void {
  const o = hasAllowEmpty ? 1 : 0;
  w.bool(1, bool(p.required));
  w.string(2, str(p.in));
  w.string(3, str(p.description));
  w.string(4, str(p.name));
  if (hasAllowEmpty) w.bool(5, bool(p.allowEmptyValue));
  w.string(5 + o, str(p.type));
  w.string(6 + o, str(p.format));
  if (isObject(p.items)) { const items = p.items; w.message(7 + o, (x) => writePrimitivesItems(x, items)); }
  w.string(8 + o, str(p.collectionFormat));
  if ('default' in p) w.message(9 + o, (a) => writeAny(a, p.default));
  w.double(10 + o, num(p.maximum));
  w.bool(11 + o, bool(p.exclusiveMaximum));
  w.double(12 + o, num(p.minimum));
  w.bool(13 + o, bool(p.exclusiveMinimum));
  w.uint(14 + o, num(p.maxLength));
  w.uint(15 + o, num(p.minLength));
  w.string(16 + o, str(p.pattern));
  w.uint(17 + o, num(p.maxItems));
  w.uint(18 + o, num(p.minItems));
  w.bool(19 + o, bool(p.uniqueItems));
  if (Array.isArray(p.enum)) for (const e of p.enum) w.message(20 + o, (a) => writeAny(a, e));
  w.double(21 + o, num(p.multipleOf));
  writeVendorExtensions(w, 22 + o, p);
}

/** Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2 } } */
function writeParameter(w: ProtoWriter, p: Json): void {
  if (p.in === 'body') {
    w.message(1, (b) => {
      b.string(1, str(p.description)).string(2, str(p.name)).string(3, str(p.in)).bool(4, bool(p.required));
      if (isObject(p.schema)) { const schema = p.schema; b.message(5, (x) => writeSchema(x, schema)); }
      writeVendorExtensions(b, 6, p);
    });
    return;
  }
  const where = { header: 1, formData: 2, query: 3, path: 4 }[str(p.in) ?? 'query'] ?? 3;
  w.message(2, (nb) => nb.message(where, (x) => writeNonBodySubSchema(x, p, where === 2 || where === 3)));
}

/** ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2 } } */
function writeParametersItem(w: ProtoWriter, p: Json): void {
  if (typeof p.$ref === 'string') {
    const ref = p.$ref;
    w.message(2, (r) => r.string(1, ref).string(2, str(p.description)));
  } else {
    w.message(1, (x) => writeParameter(x, p));
  }
}

function writeResponses(w: ProtoWriter, responses: Json): void {
  for (const [code, r] of Object.entries(responses)) {
    if (!isObject(r)) continue;
    w.message(1, (n) => {
      n.string(1, code);
      n.message(2, (rv) => {
        if (typeof r.$ref === 'string') { const ref = r.$ref; rv.message(2, (j) => j.string(1, ref)); return; }
        rv.message(1, (resp) => {
          resp.string(1, str(r.description));
          if (isObject(r.schema)) { const schema = r.schema; resp.message(2, (si) => si.message(1, (x) => writeSchema(x, schema))); }
          writeVendorExtensions(resp, 5, r);
        });
      });
    });
  }
  writeVendorExtensions(w, 2, responses);
}

function writeSecurity(w: ProtoWriter, field: number, requirements: unknown): void {
  if (!Array.isArray(requirements)) return;
  for (const req of requirements) {
    if (!isObject(req)) continue;
    w.message(field, (sr) => {
      for (const [name, scopes] of Object.entries(req)) {
        sr.message(1, (n) => n.string(1, name).message(2, (a) => a.strings(1, strList(scopes))));
      }
    });
  }
}

function writeOperation(w: ProtoWriter, op: Json): void {
  w.strings(1, strList(op.tags));
  w.string(2, str(op.summary));
  w.string(3, str(op.description));
  w.string(5, str(op.operationId));
  w.strings(6, strList(op.produces));
  w.strings(7, strList(op.consumes));
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObject(p)) w.message(8, (x) => writeParametersItem(x, p));
  if (isObject(op.responses)) { const responses = op.responses; w.message(9, (x) => writeResponses(x, responses)); }
  w.strings(10, strList(op.schemes));
  w.bool(11, bool(op.deprecated));
  writeSecurity(w, 12, op.security);
  writeVendorExtensions(w, 13, op);
}

const OPERATION_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function writePathItem(w: ProtoWriter, item: Json): void {
  w.string(1, str(item.$ref));
  for (const [method, field] of Object.entries(OPERATION_FIELDS)) {
    const op = item[method];
    if (isObject(op)) w.message(field, (x) => writeOperation(x, op));
  }
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObject(p)) w.message(9, (x) => writeParametersItem(x, p));
  writeVendorExtensions(w, 10, item);
}

function writeSecurityDefinitions(w: ProtoWriter, defs: Json): void {
  for (const [name, d] of Object.entries(defs)) {
    if (!isObject(d)) continue;
    w.message(1, (n) => {
      n.string(1, name);
      n.message(2, (item) => {
        if (d.type === 'basic') {
          item.message(1, (b) => { b.string(1, str(d.type)).string(2, str(d.description)); writeVendorExtensions(b, 3, d); });
        } else if (d.type === 'apiKey') {
          item.message(2, (k) => {
            k.string(1, str(d.type)).string(2, str(d.name)).string(3, str(d.in)).string(4, str(d.description));
            writeVendorExtensions(k, 5, d);
          });
        }
        // OAuth2 flows do not occur in Kubernetes documents.
      });
    });
  }
}

/** The whole swagger document as a gnostic openapi.v2.Document. */
export function encodeGnosticDocument(doc: Json): Buffer {
  const w = new ProtoWriter();
  w.string(1, str(doc.swagger));
  if (isObject(doc.info)) {
    const info = doc.info;
    w.message(2, (i) => { i.string(1, str(info.title)).string(2, str(info.version)).string(3, str(info.description)); writeVendorExtensions(i, 7, info); });
  }
  w.string(3, str(doc.host));
  w.string(4, str(doc.basePath));
  w.strings(5, strList(doc.schemes));
  w.strings(6, strList(doc.consumes));
  w.strings(7, strList(doc.produces));
  if (isObject(doc.paths)) {
    const paths = doc.paths;
    w.message(8, (ps) => {
      writeVendorExtensions(ps, 1, paths);
      for (const [path, item] of Object.entries(paths)) {
        if (!isObject(item) || path.startsWith('x-')) continue;
        ps.message(2, (n) => n.string(1, path).message(2, (x) => writePathItem(x, item)));
      }
    });
  }
  if (isObject(doc.definitions)) {
    const defs = doc.definitions;
    w.message(9, (d) => {
      for (const [name, s] of Object.entries(defs)) if (isObject(s)) d.message(1, (n) => n.string(1, name).message(2, (x) => writeSchema(x, s)));
    });
  }
  if (isObject(doc.parameters)) {
    const params = doc.parameters;
    w.message(10, (d) => {
      for (const [name, p] of Object.entries(params)) if (isObject(p)) d.message(1, (n) => n.string(1, name).message(2, (x) => writeParameter(x, p)));
    });
  }
  writeSecurity(w, 12, doc.security);
  if (isObject(doc.securityDefinitions)) { const sd = doc.securityDefinitions; w.message(13, (x) => writeSecurityDefinitions(x, sd)); }
  writeVendorExtensions(w, 16, doc);
  return w.finish();
}
