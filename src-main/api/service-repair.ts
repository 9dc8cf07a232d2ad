// On start, the allocators learn which cluster IPs and node ports stored services hold (what
// kube-apiserver's allocator repair loop does), so no address is handed out twice.
import type { ApiContext } from './handlers/context.ts';
import { decodeObject, resourcePrefix } from './object-store.ts';

interface ServiceSpec {
  clusterIPs?: string[];
  clusterIP?: string;
  ports?: { nodePort?: number }[];
  healthCheckNodePort?: number;
}

export async function reserveServiceAllocations(api: ApiContext): Promise<void> {
  const def = api.registry.lookup('', 'v1', 'services')?.definition;
  if (!def) return;
  const { kvs } = await api.store.range({ prefix: resourcePrefix(def) });
  for (const kv of kvs) {
    const spec = (decodeObject(kv).spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) {
      if (ip && ip !== 'None' && api.allocators.clusterIP.contains(ip)) api.allocators.clusterIP.reserve(ip);
    }
    for (const p of spec.ports ?? []) if (p.nodePort) api.allocators.nodePort.reserve(String(p.nodePort));
    if (spec.healthCheckNodePort) api.allocators.nodePort.reserve(String(spec.healthCheckNodePort));
  }
}
