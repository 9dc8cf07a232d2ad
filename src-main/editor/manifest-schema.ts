// The editor's JSON schema, built from the connected cluster's own OpenAPI v3 documents, so the
// squiggles, completions and hovers match what this server accepts. One root schema for every
// YAML document: apiVersion and kind complete from the served kinds, and an if/then per kind
// validates the rest of a document against that kind's schema (each document of a multi-document
// file on its own). OpenAPI 3.0 spellings become JSON Schema draft-07, which the YAML language
// server reads: component $refs point into `definitions`, nullable becomes a "null" type,
// int-or-string an anyOf, and objects that do not keep unknown fields are closed, because the
// server (fieldValidation=Strict, as kubectl sends) rejects unknown fields.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const COMPONENTS = '#/components/schemas/';
const DEFINITIONS = '#/definitions/';

/** A kind the cluster serves, as discovery lists it. */
export interface ServedKind {
  apiVersion: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

export interface ManifestSchema {
  schema: Json;
  kinds: ServedKind[];
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const apiVersionOf = (g: { group: string; version: string }) => (g.group ? `${g.group}/${g.version}` : g.version);

/** Keywords kept as they are; `format` is left out (int64, byte… are not JSON Schema formats). */
const KEPT = new Set(['type', 'description', 'default', 'enum', 'required', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'title']);

/** One OpenAPI 3.0 schema as JSON Schema draft-07. */
export function convertSchema(schema: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.startsWith(COMPONENTS) ? DEFINITIONS + value.slice(COMPONENTS.length) : value;
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isObject(sub) ? convertSchema(sub) : sub]));
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) out[key] = convertSchema(value);
    else if (key === 'additionalProperties' && typeof value === 'boolean') out[key] = value;
    else if ((key === 'allOf' || key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) out[key] = value.map((v) => (isObject(v) ? convertSchema(v) : v));
    else if (KEPT.has(key)) out[key] = value;
  }
  const intOrString = schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string';
  if (intOrString) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) out.additionalProperties = true;
  else if (out.type === 'object' && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // A oneOf of bare types (upstream's IntOrString, Quantity) reads better as anyOf: both match 1.
  if (Array.isArray(out.oneOf) && out.oneOf.every((s) => isObject(s) && Object.keys(s).length === 1 && 'type' in s)) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  return out;
}

function gvksOf(schema: Json): GroupVersionKind[] {
  const list = schema['x-kubernetes-group-version-kind'];
  return Array.isArray(list) ? list.filter(isObject).map((g) => ({ group: String(g.group ?? ''), version: String(g.version ?? ''), kind: String(g.kind ?? '') })) : [];
}

/**
 * The root schema from the component schemas of a cluster's OpenAPI v3 documents (merged) and the
 * kinds discovery says it serves (a kind without a served resource, like DeleteOptions, is left
 * out of the completions).
 */
export function manifestSchema(components: Record<string, Json>, served: ServedKind[]): ManifestSchema {
  const definitions: Json = {};
  const kindSchema = new Map<string, string>();
  for (const [name, schema] of Object.entries(components)) {
    definitions[name] = convertSchema(schema);
    for (const gvk of gvksOf(schema)) kindSchema.set(`${apiVersionOf(gvk)} ${gvk.kind}`, name);
  }
  const kinds = served.filter((k) => kindSchema.has(`${k.apiVersion} ${k.kind}`)).sort((a, b) => a.kind.localeCompare(b.kind) || a.apiVersion.localeCompare(b.apiVersion));
  const branches = kinds.map((k) => ({
    if: { properties: { apiVersion: { const: k.apiVersion }, kind: { const: k.kind } }, required: ['apiVersion', 'kind'] },
    then: { $ref: DEFINITIONS + kindSchema.get(`${k.apiVersion} ${k.kind}`) },
  }));
  // A kind the apiVersion does not serve (Deployment in v1) is flagged at once, not at apply.
  const versions = [...new Set(kinds.map((k) => k.apiVersion))].sort();
  const kindsOf = versions.map((v) => ({
    if: { properties: { apiVersion: { const: v } }, required: ['apiVersion'] },
    then: { properties: { kind: { enum: kinds.filter((k) => k.apiVersion === v).map((k) => k.kind) } } },
  }));
  const schema: Json = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['apiVersion', 'kind'],
    properties: {
      apiVersion: { type: 'string', description: 'The versioned schema of this object: a group/version the cluster serves.', enum: versions },
      kind: { type: 'string', description: 'The kind of object this document describes.', enum: [...new Set(kinds.map((k) => k.kind))] },
    },
    allOf: [...kindsOf, ...branches],
    definitions,
  };
  return { schema, kinds };
}
