// Swagger 2.0 -> OpenAPI 3.0, in the shape kube-apiserver serves under /openapi/v3/<gv>:
// parameters inlined with a `schema`, body parameters as `requestBody` (one entry per consumed
// media type), responses with `content` per produced media type, definitions as
// components.schemas, and a $ref with sibling keywords (a field's description) wrapped as
// `allOf: [{$ref}]` because OpenAPI 3.0 ignores siblings of $ref.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const DEFINITIONS = '#/definitions/';
export const COMPONENTS = '#/components/schemas/';

/**
 * Types whose v2 spelling cannot say "either": upstream's v3 documents describe them with
 * oneOf, and clients (kubectl explain, editors) show them that way.
 */
const ONE_OF_TYPES: Record<string, string[]> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': ['integer', 'string'],
  'io.k8s.apimachinery.pkg.api.resource.Quantity': ['string', 'number'],
};

/** A v2 schema as v3. */
export function convertSchema(schema: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.startsWith(DEFINITIONS) ? COMPONENTS + value.slice(DEFINITIONS.length) : value;
    else if (key === 'properties' && isObject(value)) {
      const props: Json = {};
      for (const [name, sub] of Object.entries(value)) props[name] = isObject(sub) ? convertSchema(sub) : sub;
      out.properties = props;
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) out[key] = convertSchema(value);
    else if ((key === 'allOf' || key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) out[key] = value.map((v) => (isObject(v) ? convertSchema(v) : v));
    else out[key] = value;
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    return { allOf: [{ $ref }], ...rest };
  }
  return out;
}

/** A definition as a v3 component schema. */
export function convertDefinition(name: string, schema: Json): Json {
  const oneOf = ONE_OF_TYPES[name];
  if (!oneOf) return convertSchema(schema);
  const { type: _type, ...rest } = convertSchema(schema);
  return { ...rest, oneOf: oneOf.map((type) => ({ type })) };
}

/** Resolves a `#/parameters/<name>` reference against the document's shared parameters. */
function resolveParameter(p: Json, shared: Json): Json | undefined {
  if (typeof p.$ref !== 'string') return p;
  const target = shared[p.$ref.replace('#/parameters/', '')];
  return isObject(target) ? target : undefined;
}

/** A non-body v2 parameter as v3: its type keywords move under `schema`. */
function convertParameter(p: Json): Json {
  const out: Json = { name: p.name, in: p.in };
  if (p.description !== undefined) out.description = p.description;
  if (p.required !== undefined) out.required = p.required;
  if (p.allowEmptyValue !== undefined) out.allowEmptyValue = p.allowEmptyValue;
  const schema: Json = {};
  for (const key of ['type', 'format', 'items', 'default', 'enum', 'maximum', 'minimum', 'pattern', 'uniqueItems', 'maxLength', 'minLength']) {
    if (p[key] !== undefined) schema[key] = key === 'items' && isObject(p.items) ? convertSchema(p.items) : p[key];
  }
  out.schema = schema;
  for (const [key, value] of Object.entries(p)) if (key.startsWith('x-')) out[key] = value;
  return out;
}

function content(mediaTypes: unknown, schema: Json): Json {
  const out: Json = {};
  const types = Array.isArray(mediaTypes) && mediaTypes.length > 0 ? mediaTypes : ['application/json'];
  for (const t of types) if (typeof t === 'string') out[t] = { schema: convertSchema(schema) };
  return out;
}

const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function convertOperation(op: Json, pathParameters: Json[], shared: Json, consumesDefault: unknown, producesDefault: unknown): Json {
  const out: Json = {};
  if (op.tags !== undefined) out.tags = op.tags;
  if (op.summary !== undefined) out.summary = op.summary;
  if (op.description !== undefined) out.description = op.description;
  if (op.operationId !== undefined) out.operationId = op.operationId;
  const consumes = op.consumes ?? consumesDefault;
  const produces = op.produces ?? producesDefault;
  const parameters: Json[] = [];
  for (const raw of Array.isArray(op.parameters) ? op.parameters : []) {
    const p = isObject(raw) ? resolveParameter(raw, shared) : undefined;
    if (!p) continue;
    if (p.in === 'body') {
      const body: Json = { content: content(consumes, isObject(p.schema) ? p.schema : {}) };
      if (p.required !== undefined) body.required = p.required;
      if (p.description !== undefined) body.description = p.description;
      out.requestBody = body;
    } else {
      parameters.push(convertParameter(p));
    }
  }
  // A body declared on the path (never in Kubernetes documents) would apply to every operation.
  for (const p of pathParameters) if (p.in === 'body' && !out.requestBody) out.requestBody = { content: content(consumes, isObject(p.schema) ? p.schema : {}) };
  if (parameters.length > 0) out.parameters = parameters;
  if (isObject(op.responses)) {
    const responses: Json = {};
    for (const [code, r] of Object.entries(op.responses)) {
      if (!isObject(r)) continue;
      const converted: Json = {};
      if (isObject(r.schema)) converted.content = content(produces, r.schema);
      converted.description = r.description ?? '';
      responses[code] = converted;
    }
    out.responses = responses;
  }
  if (op.deprecated !== undefined) out.deprecated = op.deprecated;
  for (const [key, value] of Object.entries(op)) if (key.startsWith('x-')) out[key] = value;
  return out;
}

/** A v2 path item as v3. `shared` is the document's top-level `parameters`. */
export function convertPathItem(item: Json, shared: Json, consumesDefault?: unknown, producesDefault?: unknown): Json {
  const out: Json = {};
  const pathParameters = (Array.isArray(item.parameters) ? item.parameters : [])
    .map((p) => (isObject(p) ? resolveParameter(p, shared) : undefined))
    .filter((p): p is Json => p !== undefined);
  for (const method of OPERATIONS) {
    const op = item[method];
    if (isObject(op)) out[method] = convertOperation(op, pathParameters, shared, consumesDefault, producesDefault);
  }
  const nonBody = pathParameters.filter((p) => p.in !== 'body').map(convertParameter);
  if (nonBody.length > 0) out.parameters = nonBody;
  for (const [key, value] of Object.entries(item)) if (key.startsWith('x-')) out[key] = value;
  return out;
}

/** Every component schema name that `value` refers to, directly. */
export function componentRefs(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) componentRefs(v, into);
  else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith(COMPONENTS)) into.add(v.slice(COMPONENTS.length));
      else componentRefs(v, into);
    }
  }
  return into;
}
