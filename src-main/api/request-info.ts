// What a request is about, parsed from its path and method as upstream's RequestInfoFactory does:
// /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}, /apis/{group}/{version}/..., and the
// legacy /api/v1/watch/... prefix.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  kind: 'resource';
  verb: Verb;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Path segments after the subresource (e.g. a proxy path); unused by most. */
  rest: string[];
}

export interface OtherRequest {
  kind: 'other';
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequest | OtherRequest;

/** Namespaces' own subresources: /api/v1/namespaces/{name}/status is not a resource "status". */
const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const lower = method.toLowerCase();
  const parts = pathname.split('/').filter((p) => p !== '');
  let i: number;
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1];
    i = 2;
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    i = 3;
  } else {
    return { kind: 'other', path: pathname, verb: lower };
  }
  let rest = parts.slice(i).map(decodeSegment);
  // "." and ".." name nothing: such paths are not resource requests (they answer 404).
  if (rest.length === 0 || rest.some((p) => p === '.' || p === '..')) return { kind: 'other', path: pathname, verb: lower };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
  }
  const [resource, name, subresource, ...more] = rest;
  if (!resource) return { kind: 'other', path: pathname, verb: lower };
  // For the namespaces resource itself, "namespace" above was really the object's name.
  let objName = name;
  let ns = namespace;
  if (resource === 'namespaces' && rest[0] === 'namespaces') {
    objName = rest[1];
    ns = undefined;
  }
  const sub = resource === 'namespaces' && rest[0] === 'namespaces' ? rest[2] : subresource;
  const extra = resource === 'namespaces' && rest[0] === 'namespaces' ? rest.slice(3) : more;
  const watchParam = query.get('watch');
  const isWatch = legacyWatch || watchParam === 'true' || watchParam === '1';
  const verb = verbFor(lower, objName !== undefined, isWatch);
  return { kind: 'resource', verb, group, version, namespace: ns, resource, name: objName, subresource: sub, rest: extra };
}

function verbFor(method: string, hasName: boolean, watch: boolean): Verb {
  switch (method) {
    case 'post':
      return 'create';
    case 'put':
      return 'update';
    case 'patch':
      return 'patch';
    case 'delete':
      return hasName ? 'delete' : 'deletecollection';
    default:
      if (watch) return 'watch';
      return hasName ? 'get' : 'list';
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
