// Where a resource lives on the wire. Kubernetes splits the URL space in two: the legacy core
// group under /api/v1 and every named group under /apis/<group>/<version>. Namespaced resources
// add /namespaces/<ns> before the resource; subresources (status, scale, log, binding) follow the
// object's name.

export interface GroupVersionResource {
  /** '' for the core group (pods, services, configmaps ...). */
  group: string;
  version: string;
  /** The plural, lower-case resource name: 'deployments', not 'Deployment'. */
  resource: string;
}

/** The base path of a group/version: /api/v1 or /apis/apps/v1. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/**
 * The path of a collection (no name) or of one object (with name), optionally of a subresource.
 * Segments are percent-encoded so that odd names cannot escape their path segment.
 */
export function resourcePath(
  gvr: GroupVersionResource,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let path = groupVersionPath(gvr.group, gvr.version);
  if (namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${gvr.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`resource name may not be empty (${gvr.resource})`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  } else if (subresource) {
    throw new Error(`subresource ${subresource} needs an object name`);
  }
  return path;
}

/** The group/version string of an apiVersion field: 'v1' for core, 'apps/v1' otherwise. */
export function apiVersionOf(gvr: Pick<GroupVersionResource, 'group' | 'version'>): string {
  return gvr.group === '' ? gvr.version : `${gvr.group}/${gvr.version}`;
}

/** Splits 'apps/v1' into group 'apps' / version 'v1'; 'v1' is the core group. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
