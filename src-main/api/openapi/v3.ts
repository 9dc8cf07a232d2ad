// GET /openapi/v3 and /openapi/v3/<gv>: one OpenAPI 3.0 document per group-version, as
// kube-apiserver serves them. kubectl >= 1.27 reads the index, then the document of the
// group-version it needs (explain, and `apply`, which looks for the fieldValidation parameter
// of PATCH operations to decide that the server validates fields).
//
// Each document holds the paths of that group-version and the component schemas reachable from
// them. Documents are built once per served list; the index carries each document's hash, and
// clients cache by it.
import { openAPIDocument } from './spec.ts';
import { servedKey, servedPathGroupVersion, servedRootPath, type ServedKind } from './served.ts';
import { componentRefs, convertDefinition, convertPathItem } from './v3-convert.ts';
import { documentHash } from './hash.ts';

type Json = Record<string, unknown>;

export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenAPIV3Document {
  body: Buffer;
  /** Quoted, ready for the ETag header. */
  etag: string;
  /** Upper-case hex SHA-512 of body: the `hash` query of the index's URLs. */
  hash: string;
}

const cache = new Map<string, Map<string, OpenAPIV3Document>>();

/**
 * The index key ('api/v1', 'apis/apps/v1', 'apis/apps', 'api', 'apis', 'version') a served
 * upstream path belongs to, or undefined when it is not served.
 */
function documentKey(path: string, served: readonly ServedKind[]): string | undefined {
  const gv = servedPathGroupVersion(path, served);
  if (gv !== undefined) return gv;
  return servedRootPath(path, served) ? path.replace(/^\/|\/$/g, '') : undefined;
}

function build(served: readonly ServedKind[]): Map<string, OpenAPIV3Document> {
  const upstream = openAPIDocument();
  const shared = (upstream.parameters ?? {}) as Json;
  const definitions = upstream.definitions as Record<string, Json>;
  const grouped = new Map<string, Json>();
  for (const [path, item] of Object.entries(upstream.paths)) {
    const key = documentKey(path, served);
    if (key === undefined) continue;
    let paths = grouped.get(key);
    if (!paths) grouped.set(key, (paths = {}));
    paths[path] = convertPathItem(item as Json, shared);
  }
  const documents = new Map<string, OpenAPIV3Document>();
  for (const [key, paths] of [...grouped].sort(([a], [b]) => a.localeCompare(b))) {
    const schemas: Json = {};
    const pending = [...componentRefs(paths)];
    const seen = new Set(pending);
    while (pending.length > 0) {
      const name = pending.pop() as string;
      const definition = definitions[name];
      if (!definition) continue;
      const converted = convertDefinition(name, definition);
      schemas[name] = converted;
      for (const ref of componentRefs(converted)) if (!seen.has(ref)) { seen.add(ref); pending.push(ref); }
    }
    const sortedSchemas: Json = {};
    for (const name of Object.keys(schemas).sort()) sortedSchemas[name] = schemas[name];
    const document: Json = {
      openapi: '3.0.0',
      info: upstream.info,
      paths,
      components: { schemas: sortedSchemas, ...securitySchemes(upstream.securityDefinitions) },
    };
    if (upstream.security) document.security = upstream.security;
    const body = Buffer.from(JSON.stringify(document));
    const hash = documentHash(body);
    documents.set(key, { body, hash, etag: `"${hash}"` });
  }
  return documents;
}

/** Swagger securityDefinitions (apiKey, basic) as v3 securitySchemes. */
function securitySchemes(definitions: Record<string, unknown> | undefined): Json {
  if (!definitions) return {};
  const schemes: Json = {};
  for (const [name, d] of Object.entries(definitions)) {
    const def = d as Json;
    if (def.type === 'basic') schemes[name] = { type: 'http', scheme: 'basic', description: def.description };
    else schemes[name] = { ...def };
  }
  return { securitySchemes: schemes };
}

function documents(served: readonly ServedKind[]): Map<string, OpenAPIV3Document> {
  const key = servedKey(served);
  let docs = cache.get(key);
  if (!docs) cache.set(key, (docs = build(served)));
  return docs;
}

/** GET /openapi/v3: where each group-version's document is, with its hash for caching. */
export function openAPIV3Index(served: readonly ServedKind[]): OpenAPIV3Index {
  const paths: OpenAPIV3Index['paths'] = {};
  for (const [key, doc] of documents(served)) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  return { paths };
}

/**
 * GET /openapi/v3/<gvPath> ('api/v1', 'apis/apps/v1'; also 'api', 'apis', 'apis/<group>').
 * Undefined when that group-version is not served (the server answers 404).
 */
export function openAPIV3GroupVersion(served: readonly ServedKind[], gvPath: string): OpenAPIV3Document | undefined {
  return documents(served).get(gvPath.replace(/^\/+|\/+$/g, ''));
}
