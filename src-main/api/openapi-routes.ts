// GET /openapi/v2 (JSON or gnostic protobuf) and /openapi/v3[/<group-version>], for the kinds
// this server serves, with ETags so clients can cache.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRegistry } from './registry.ts';
import type { ServedKind } from './openapi/served.ts';
import { openAPIV2 } from './openapi/v2.ts';
import { openAPIV3GroupVersion, openAPIV3Index } from './openapi/v3.ts';
import { pageNotFound } from './status.ts';
import { writeJSON } from './handlers/codec.ts';

const servedCache = new WeakMap<ResourceRegistry, ServedKind[]>();

export function servedKinds(registry: ResourceRegistry): ServedKind[] {
  let served = servedCache.get(registry);
  if (!served) {
    served = registry.all().map((r) => {
      const def = r.definition;
      const subresources = [...(def.subresources?.status ? ['status'] : []), ...(def.subresources?.scale ? ['scale'] : []), ...(def.subresources?.approval ? ['approval'] : [])];
      if (def.group === '' && def.resource === 'pods') subresources.push('binding', 'eviction', 'log', 'exec', 'attach', 'portforward');
      if (def.group === '' && def.resource === 'namespaces') subresources.push('finalize');
      return { group: r.group, version: r.version, kind: def.kind, resource: def.resource, namespaced: def.namespaced, subresources };
    });
    servedCache.set(registry, served);
  }
  return served;
}

function sendCached(req: IncomingMessage, res: ServerResponse, contentType: string, body: Buffer, etag: string): void {
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length, ETag: etag, 'Cache-Control': 'no-cache, private', Vary: 'Accept' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function serveOpenAPI(registry: ResourceRegistry, req: IncomingMessage, res: ServerResponse, parts: string[]): void {
  const served = servedKinds(registry);
  if (parts[1] === 'v2' && parts.length === 2) {
    const doc = openAPIV2(served, req.headers.accept);
    return sendCached(req, res, doc.contentType, doc.body, doc.etag);
  }
  if (parts[1] === 'v3' && parts.length === 2) return writeJSON(res, 200, openAPIV3Index(served));
  if (parts[1] === 'v3') {
    const doc = openAPIV3GroupVersion(served, parts.slice(2).join('/'));
    if (doc) return sendCached(req, res, 'application/json', doc.body, doc.etag);
  }
  throw pageNotFound();
}
