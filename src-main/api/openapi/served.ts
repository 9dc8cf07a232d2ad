// Which parts of the upstream OpenAPI document Kubelab serves. The upstream swagger describes
// every built-in API; /openapi/v2 and /openapi/v3 must only advertise what this server answers,
// or kubectl would offer (and `explain`) resources that then 404.

/** One kind the API server serves, in one group-version. group '' is the core group. */
export interface ServedKind {
  group: string;
  version: string;
  kind: string;
  /** Plural, lowercase: the URL segment. */
  resource: string;
  namespaced: boolean;
  /** Subresource names served for this resource: 'status', 'scale', 'log', ... */
  subresources: string[];
}

/** The URL prefix of a group-version without the leading slash: 'api/v1', 'apis/apps/v1'. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** Group-version paths ('api/v1', 'apis/apps/v1') of the served kinds, in first-seen order. */
export function servedGroupVersions(served: readonly ServedKind[]): string[] {
  return [...new Set(served.map((s) => groupVersionPath(s.group, s.version)))];
}

/** A stable key of a served list, so that documents are computed once per distinct list. */
export function servedKey(served: readonly ServedKind[]): string {
  return served
    .map((s) => `${s.group}/${s.version}/${s.kind}/${s.resource}/${s.namespaced ? 'n' : 'c'}/${[...s.subresources].sort().join(',')}`)
    .sort()
    .join(';');
}

/**
 * Which group-version (as groupVersionPath) an upstream path belongs to, and whether it is
 * served. Paths are '/api/v1/namespaces/{namespace}/pods/{name}/status' and the like; the
 * group-version roots ('/api/v1/', '/apis/apps/v1/') belong to their group-version when any
 * kind of it is served. Group roots ('/apis/apps/') and '/api/', '/apis/' belong to no
 * group-version (undefined).
 */
export function servedPathGroupVersion(path: string, served: readonly ServedKind[]): string | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  let gvLength: number;
  if (segments[0] === 'api' && segments.length >= 2) gvLength = 2;
  else if (segments[0] === 'apis' && segments.length >= 3) gvLength = 3;
  else return undefined;
  const gv = segments.slice(0, gvLength).join('/');
  const kinds = served.filter((s) => groupVersionPath(s.group, s.version) === gv);
  if (kinds.length === 0) return undefined;
  let rest = segments.slice(gvLength);
  if (rest.length === 0) return gv;
  if (rest[0] === 'watch') rest = rest.slice(1);
  // '/namespaces/{namespace}/<resource>...' is a namespaced resource; '/namespaces/{name}...'
  // is the Namespace resource itself.
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3) rest = rest.slice(2);
  const [resource, name, subresource] = rest;
  const kind = kinds.find((k) => k.resource === resource);
  if (!kind) return undefined;
  if (name === undefined || subresource === undefined) return gv;
  return kind.subresources.includes(subresource) ? gv : undefined;
}

/** Whether an upstream path that is not under a group-version is served: '/api/', '/apis/', a served group's root. */
export function servedRootPath(path: string, served: readonly ServedKind[]): boolean {
  if (path === '/api/') return served.some((s) => s.group === '');
  if (path === '/apis/') return served.some((s) => s.group !== '');
  if (path === '/version/') return true;
  const m = /^\/apis\/([^/]+)\/$/.exec(path);
  return m !== null && served.some((s) => s.group === m[1]);
}
