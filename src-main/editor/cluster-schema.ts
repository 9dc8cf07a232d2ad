// The cluster's manifest schema and served kinds, fetched once per cluster (per client) from its
// OpenAPI v3 documents (GET /openapi/v3, then each group-version's document) and discovery.
import { discoverResources } from '../client/discovery.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { manifestSchema, type ManifestSchema, type ServedKind } from './manifest-schema.ts';

type Json = Record<string, unknown>;

const cache = new WeakMap<KubeClient, Promise<ManifestSchema>>();

export function clusterManifestSchema(client: KubeClient): Promise<ManifestSchema> {
  let pending = cache.get(client);
  if (!pending) {
    pending = fetchSchema(client);
    // A failure is not kept: the next editor to open asks again.
    pending.catch(() => cache.delete(client));
    cache.set(client, pending);
  }
  return pending;
}

export async function servedKinds(client: KubeClient): Promise<ServedKind[]> {
  return (await discoverResources(client)).map((r) => ({
    apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, resource: r.resource, namespaced: r.namespaced,
  }));
}

async function fetchSchema(client: KubeClient): Promise<ManifestSchema> {
  const [served, index] = await Promise.all([servedKinds(client), client.request<{ paths: Record<string, { serverRelativeURL: string }> }>('GET', '/openapi/v3')]);
  // Only group-version documents (api/v1, apis/apps/v1) hold kinds.
  const urls = Object.entries(index.paths).filter(([key]) => /^(api\/v\d|apis\/[^/]+\/[^/]+)/.test(key)).map(([, v]) => v.serverRelativeURL);
  const documents = await Promise.all(urls.map((url) => client.request<{ components?: { schemas?: Record<string, Json> } }>('GET', url)));
  const components: Record<string, Json> = {};
  for (const doc of documents) Object.assign(components, doc.components?.schemas ?? {});
  return manifestSchema(components, served);
}
