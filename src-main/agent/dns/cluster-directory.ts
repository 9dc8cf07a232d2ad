// What the cluster DNS server reads Kubernetes data from: the agent's informer caches. Every
// query reads it afresh, so answers follow the cluster as it is at query time without a cache
// of the server's own.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';

export interface ClusterDirectory {
  service(namespace: string, name: string): Service | undefined;
  /** EndpointSlices labelled kubernetes.io/service-name=<service> in that namespace. */
  endpointSlices(namespace: string, service: string): EndpointSlice[];
  /** Every service, for PTR answers; without it reverse names are all forwarded upstream. */
  services?(): Service[];
}
