// Every byte of the protobuf form must say what the JSON form says: decode it (protobufjs, with
// gnostic's field numbers), rebuild swagger JSON from the messages, and compare with the served
// JSON document, all definitions and paths included.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parse as parseYAML } from 'yaml';
import { openAPIV2, openAPIV2Document, OPENAPI_V2_PROTOBUF } from '../../../../src-main/api/openapi/v2.ts';
import { SERVED } from './served-fixture.ts';

type Json = Record<string, any>;

const root = protobuf.loadSync(fileURLToPath(new URL('./openapiv2-subset.proto', import.meta.url)));
const DocumentType = root.lookupType('openapi.v2.Document');

function vendor(list: Json[] | undefined, into: Json): Json {
  for (const e of list ?? []) into[e.name] = parseYAML(e.value.yaml);
  return into;
}

function set(into: Json, key: string, value: unknown): void {
  if (value !== undefined && !(Array.isArray(value) && value.length === 0)) into[key] = value;
}

function schema(s: Json): Json {
  const out: Json = {};
  set(out, '$ref', s._ref);
  set(out, 'format', s.format);
  set(out, 'description', s.description);
  set(out, 'required', s.required);
  if (s.additionalProperties) out.additionalProperties = s.additionalProperties.schema ? schema(s.additionalProperties.schema) : s.additionalProperties.boolean;
  if (s.type) out.type = s.type.value.length === 1 ? s.type.value[0] : s.type.value;
  if (s.items) out.items = schema(s.items.schema[0]);
  if (s.properties) out.properties = Object.fromEntries(s.properties.additionalProperties.map((p: Json) => [p.name, schema(p.value)]));
  return vendor(s.vendorExtension, out);
}

function parameter(p: Json): Json {
  if (p.bodyParameter) {
    const b = p.bodyParameter;
    const out: Json = { in: b.in, name: b.name };
    set(out, 'description', b.description);
    set(out, 'required', b.required);
    out.schema = schema(b.schema);
    return out;
  }
  const nb = p.nonBodyParameter;
  const q = nb.queryParameterSubSchema ?? nb.pathParameterSubSchema ?? nb.headerParameterSubSchema;
  const out: Json = { in: q.in, name: q.name };
  for (const key of ['description', 'required', 'type', 'format', 'uniqueItems']) set(out, key, q[key]);
  return out;
}

const parametersItem = (p: Json): Json => (p.jsonReference ? { $ref: p.jsonReference._ref } : parameter(p.parameter));

function operation(o: Json): Json {
  const out: Json = {};
  for (const [from, to] of [['tags', 'tags'], ['description', 'description'], ['operationId', 'operationId'], ['produces', 'produces'], ['consumes', 'consumes'], ['schemes', 'schemes']]) set(out, to, o[from]);
  set(out, 'parameters', o.parameters?.map(parametersItem));
  out.responses = Object.fromEntries(o.responses.responseCode.map((r: Json) => {
    const resp: Json = { description: r.value.response.description };
    if (r.value.response.schema) resp.schema = schema(r.value.response.schema.schema);
    return [r.name, resp];
  }));
  return vendor(o.vendorExtension, out);
}

function pathItem(item: Json): Json {
  const out: Json = {};
  for (const m of ['get', 'put', 'post', 'delete', 'patch']) if (item[m]) out[m] = operation(item[m]);
  set(out, 'parameters', item.parameters?.map(parametersItem));
  return out;
}

/**
 * proto3 cannot carry false booleans or empty strings in its own fields: compare without them.
 * Vendor extensions travel as YAML text and keep everything.
 */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([, v]) => v !== false && v !== '')
      .map(([k, v]) => [k, k.startsWith('x-') ? v : withoutDefaults(v)]));
  }
  return value;
}

describe('the protobuf /openapi/v2 round-trips to the JSON one', () => {
  const decoded = DocumentType.toObject(DocumentType.decode(openAPIV2(SERVED, OPENAPI_V2_PROTOBUF).body)) as Json;
  const source = withoutDefaults(JSON.parse(JSON.stringify(openAPIV2Document(SERVED)))) as Json;

  it('for every definition', () => {
    const rebuilt = Object.fromEntries(decoded.definitions.additionalProperties.map((d: Json) => [d.name, schema(d.value)]));
    expect(rebuilt).toEqual(source.definitions);
  });

  it('for every path, operation and parameter', () => {
    const rebuilt = Object.fromEntries(decoded.paths.path.map((p: Json) => [p.name, pathItem(p.value)]));
    expect(rebuilt).toEqual(source.paths);
  });

  it('for the shared parameters and the document header', () => {
    const rebuilt = Object.fromEntries(decoded.parameters.additionalProperties.map((p: Json) => [p.name, parameter(p.value)]));
    expect(rebuilt).toEqual(source.parameters);
    expect(decoded.info).toEqual(source.info);
  });
});
