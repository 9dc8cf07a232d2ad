// GET /openapi/v2: the upstream swagger 2.0 document limited to the paths Kubelab serves, as
// JSON or, when asked, as the gnostic protobuf that kubectl <= 1.28 reads. All definitions are
// kept: clients resolve $refs across kinds (PodSpec from Deployment, DeleteOptions, ...) and
// the definitions are the bulk of what kubectl needs.
import { openAPIDocument, type SwaggerDocument } from './spec.ts';
import { servedKey, servedPathGroupVersion, servedRootPath, type ServedKind } from './served.ts';
import { encodeGnosticDocument } from './v2-protobuf.ts';
import { etagOf } from './hash.ts';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** The same, spelled without '@' (newer clients; '@' is not valid in a media type). */
export const OPENAPI_V2_PROTOBUF_DOTTED = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const JSON_TYPE = 'application/json';

export interface OpenAPIV2Response {
  contentType: string;
  body: Buffer;
  /** Quoted, ready for the ETag header. */
  etag: string;
}

interface Cached {
  document: SwaggerDocument;
  json?: { body: Buffer; etag: string };
  protobuf?: { body: Buffer; etag: string };
}

const cache = new Map<string, Cached>();

/** The filtered swagger document (shared, do not modify). */
export function openAPIV2Document(served: readonly ServedKind[]): SwaggerDocument {
  return cached(served).document;
}

function cached(served: readonly ServedKind[]): Cached {
  const key = servedKey(served);
  let entry = cache.get(key);
  if (!entry) {
    const upstream = openAPIDocument();
    const paths: SwaggerDocument['paths'] = {};
    for (const [path, item] of Object.entries(upstream.paths)) {
      if (servedPathGroupVersion(path, served) !== undefined || servedRootPath(path, served)) paths[path] = item;
    }
    entry = { document: { ...upstream, paths } };
    cache.set(key, entry);
  }
  return entry;
}

/** Media types in the order the client prefers them (q-values, then position). */
function preferences(accept: string | undefined): string[] {
  if (!accept) return [];
  return accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type ?? '', q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((p) => p.type !== '' && p.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((p) => p.type);
}

/**
 * The v2 document for an Accept header. Protobuf when the client asks for it before JSON;
 * JSON otherwise (also for Accept headers naming nothing we have, as a lenient default).
 */
export function openAPIV2(served: readonly ServedKind[], accept: string | undefined): OpenAPIV2Response {
  const entry = cached(served);
  for (const type of preferences(accept)) {
    if (type === OPENAPI_V2_PROTOBUF || type === OPENAPI_V2_PROTOBUF_DOTTED) {
      entry.protobuf ??= withEtag(encodeGnosticDocument(entry.document as unknown as Record<string, unknown>));
      // Always the dotted spelling: clients parse the response's Content-Type with Go's
      // mime.ParseMediaType, which rejects the '@' (kubectl 1.20 fails with "mime: unexpected
      // content after media subtype").
      return { contentType: OPENAPI_V2_PROTOBUF_DOTTED, ...entry.protobuf };
    }
    if (type === JSON_TYPE || type === 'application/*' || type === '*/*') break;
  }
  entry.json ??= withEtag(Buffer.from(JSON.stringify(entry.document)));
  return { contentType: JSON_TYPE, ...entry.json };
}

function withEtag(body: Buffer): { body: Buffer; etag: string } {
  return { body, etag: etagOf(body) };
}
