// The cluster's manifest schema, asked for once per connection (the main side caches it per
// cluster too): every editor opened on this cluster reuses it.
import type { ManifestSchema } from '../../../src-main/bridge/api/editor.ts';
import type { ClusterState } from '../cluster.svelte.ts';

const cache = new WeakMap<ClusterState, Promise<ManifestSchema>>();

export function manifestSchema(cluster: ClusterState): Promise<ManifestSchema> {
  let pending = cache.get(cluster);
  if (!pending) {
    pending = cluster.call('editorSchema', {});
    pending.catch(() => cache.delete(cluster));
    cache.set(cluster, pending);
  }
  return pending;
}
