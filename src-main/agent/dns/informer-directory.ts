// The ClusterDirectory over the agent's Service and EndpointSlice informers: lookups in their
// caches, the slices found through an index on their service-name label rather than a scan.
// Objects handed out are the caches' own; the DNS code only reads them.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { Informer } from '../../client/informer.ts';
import type { ClusterDirectory } from './cluster-directory.ts';

/** discovery.k8s.io/v1's LabelServiceName: which service a slice belongs to. */
const serviceNameLabel = 'kubernetes.io/service-name';
const byService = 'dns:service';

/** Call before the informers start, as every index must be (Informer.addIndex). */
export function informerDirectory(services: Informer<Service>, slices: Informer<EndpointSlice>): ClusterDirectory {
  slices.addIndex(byService, (s) => {
    const name = s.metadata?.labels?.[serviceNameLabel];
    return name ? [`${s.metadata?.namespace}/${name}`] : [];
  });
  return {
    service: (namespace, name) => services.get(`${namespace}/${name}`),
    endpointSlices: (namespace, service) => slices.byIndex(byService, `${namespace}/${service}`),
    services: () => services.list(),
  };
}
