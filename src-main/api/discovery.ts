// Discovery: /api, /apis, /apis/{group}, and each group-version's APIResourceList with verbs,
// short names, categories and subresources (deployments/scale is autoscaling/v1 Scale: `kubectl
// scale` looks for it). kubectl builds its RESTMapper from these.
import { createHash } from 'node:crypto';
import type { ResourceDefinition } from './resources/types.ts';
import { apiVersionOf, type ResourceRegistry } from './registry.ts';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const serverVersion = {
  major: '1',
  minor: '36',
  emulationMajor: '1',
  emulationMinor: '36',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '35',
  gitVersion: 'v1.36.0+kubelab',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.25.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

function storageVersionHash(def: ResourceDefinition): string {
  return createHash('sha256').update(`${def.group}/${def.versions[0].version}/${def.kind}`).digest('base64').slice(0, 11);
}

/** Subresources every kind of that name has, beyond status and scale. */
function extraSubresources(def: ResourceDefinition): APIResource[] {
  const r = (name: string, kind: string, verbs: string[], group?: string, version?: string): APIResource => ({
    name: `${def.resource}/${name}`,
    singularName: '',
    namespaced: def.namespaced,
    ...(group !== undefined ? { group, version } : {}),
    kind,
    verbs,
  });
  if (def.group === '' && def.resource === 'pods') {
    return [
      r('attach', 'PodAttachOptions', ['create', 'get']),
      r('binding', 'Binding', ['create']),
      r('eviction', 'Eviction', ['create'], 'policy', 'v1'),
      r('exec', 'PodExecOptions', ['create', 'get']),
      r('log', 'Pod', ['get']),
      r('portforward', 'PodPortForwardOptions', ['create', 'get']),
    ];
  }
  if (def.group === '' && def.resource === 'namespaces') return [r('finalize', 'Namespace', ['update'])];
  if (def.group === '' && def.resource === 'serviceaccounts') return [r('token', 'TokenRequest', ['create'], 'authentication.k8s.io', 'v1')];
  return [];
}

export function resourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> {
  const resources: APIResource[] = [];
  for (const served of registry.resourcesOf(group, version)) {
    const def = served.definition;
    resources.push({
      name: def.resource,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: def.verbs ?? allVerbs,
      ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
      ...(def.categories?.length ? { categories: def.categories } : {}),
      storageVersionHash: storageVersionHash(def),
    });
    const subs: APIResource[] = [...extraSubresources(def)];
    if (def.subresources?.scale) subs.push({ name: `${def.resource}/scale`, singularName: '', namespaced: def.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    if (def.subresources?.status) subs.push({ name: `${def.resource}/status`, singularName: '', namespaced: def.namespaced, kind: def.kind, verbs: ['get', 'patch', 'update'] });
    if (def.subresources?.approval) subs.push({ name: `${def.resource}/approval`, singularName: '', namespaced: def.namespaced, kind: def.kind, verbs: ['get', 'patch', 'update'] });
    resources.push(...subs.sort((a, b) => a.name.localeCompare(b.name)));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function groupList(registry: ResourceRegistry): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups.map((g) => groupEntry(g.name, g.versions)) };
}

export function group(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const g = registry.groups.find((x) => x.name === name);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.name, g.versions) } : undefined;
}
