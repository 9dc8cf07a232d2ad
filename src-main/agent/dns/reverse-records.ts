// PTR targets for an address (spec 2.3.3 and 2.4.3): a cluster IP names its service, a headless
// service's endpoint names itself under the service. Addresses the cluster does not know are
// none of this server's business: the caller forwards them, as CoreDNS's fallthrough does.
import type { ClusterDirectory } from './cluster-directory.ts';
import { clusterIPs, isHeadless, serviceEndpoints } from './service-endpoints.ts';

export function reverseTargets(directory: ClusterDirectory, zone: string, ip: string): string[] {
  const targets: string[] = [];
  for (const svc of directory.services?.() ?? []) {
    const name = svc.metadata?.name?.toLowerCase();
    const namespace = svc.metadata?.namespace?.toLowerCase();
    if (!name || !namespace || svc.spec?.type === 'ExternalName') continue;
    const fqdn = `${name}.${namespace}.svc.${zone}`;
    if (clusterIPs(svc).includes(ip)) targets.push(fqdn);
    else if (isHeadless(svc)) {
      const endpoints = serviceEndpoints(svc, directory.endpointSlices(namespace, name));
      for (const ep of endpoints) if (ep.address === ip) targets.push(`${ep.label}.${fqdn}`);
    }
  }
  return targets;
}
