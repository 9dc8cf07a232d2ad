// The agent's view of Services and EndpointSlices (list+watch), shared by the service proxy and
// the cluster DNS (it is the DNS's ClusterDirectory), with a callback per service whose spec or
// endpoints changed. The slices are found through an index on their service-name label.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { KubeClient } from '../../client/kube-client.ts';
import { Informer, objectKey, stripManagedFields } from '../../client/informer.ts';
import { gvr } from '../../client/resources.ts';
import type { ClusterDirectory } from '../dns/cluster-directory.ts';
import { SERVICE_NAME_LABEL } from './service-ports.ts';

const BY_SERVICE = 'service';

/** "namespace/name" of the service a slice belongs to (its kubernetes.io/service-name label). */
const sliceService = (s: EndpointSlice): string | undefined => {
  const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name ? `${s.metadata?.namespace}/${name}` : undefined;
};

export class ServiceCache implements ClusterDirectory {
  private readonly servicesInformer: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly listeners: ((serviceKey: string) => void)[] = [];

  constructor(client: KubeClient, log: (line: string) => void) {
    this.servicesInformer = new Informer<Service>(client, gvr.services, { transform: stripManagedFields });
    this.slices = new Informer<EndpointSlice>(client, gvr.endpointSlices, { transform: stripManagedFields });
    this.slices.addIndex(BY_SERVICE, (s) => [sliceService(s) ?? '']);
    const changed = (key: string | undefined) => key && this.listeners.forEach((l) => l(key));
    const onService = (s: Service) => changed(objectKey(s));
    const onSlice = (s: EndpointSlice) => changed(sliceService(s));
    this.servicesInformer.on('add', onService).on('update', (_o, s) => onService(s)).on('delete', onService);
    this.slices.on('add', onSlice).on('update', (o, s) => {
      if (sliceService(o) !== sliceService(s)) onSlice(o);
      onSlice(s);
    }).on('delete', onSlice);
    const warn = (what: string) => (e: Error) => log(`agent: ${what} watch: ${e.message}`);
    this.servicesInformer.on('error', warn('services'));
    this.slices.on('error', warn('endpointslices'));
  }

  onChange(listener: (serviceKey: string) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once both are listed (retrying while the API is away). */
  async start(): Promise<void> {
    await Promise.all([this.servicesInformer.start(), this.slices.start()]);
  }

  stop(): void {
    this.servicesInformer.stop();
    this.slices.stop();
  }

  service(namespace: string, name: string): Service | undefined {
    return this.servicesInformer.get(`${namespace}/${name}`);
  }

  services(): Service[] {
    return this.servicesInformer.list();
  }

  endpointSlices(namespace: string, service: string): EndpointSlice[] {
    return this.slices.byIndex(BY_SERVICE, `${namespace}/${service}`);
  }
}
