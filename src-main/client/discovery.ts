// The resources a server serves, from its discovery documents (/api/v1, /apis, /apis/<g>/<v>):
// what kubectl's RESTMapper reads. The preferred version of each group only, no subresources.
import type { APIGroupList, APIResourceList } from 'kubernetes-types/meta/v1';
import type { KubeClient } from './kube-client.ts';

export interface DiscoveredResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

function resourcesOf(list: APIResourceList, group: string, version: string): DiscoveredResource[] {
  return list.resources
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: [...r.verbs] }));
}

export async function discoverResources(client: KubeClient): Promise<DiscoveredResource[]> {
  const out = resourcesOf(await client.request<APIResourceList>('GET', '/api/v1'), '', 'v1');
  const groups = await client.request<APIGroupList>('GET', '/apis');
  const lists = await Promise.all(groups.groups.map(async (g) => {
    const version = g.preferredVersion?.version ?? g.versions[0]?.version;
    if (!version) return [];
    return resourcesOf(await client.request<APIResourceList>('GET', `/apis/${g.name}/${version}`), g.name, version);
  }));
  for (const l of lists) out.push(...l);
  return out;
}
