// A service as DNS sees it: its cluster IPs, or for a headless service the ready endpoints
// behind it, each with the label that names it under the service (spec 2.1 "hostname").
import { isIPv4, isIPv6 } from 'node:net';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1';
import { dashedIP, normalizeIP } from './dns-names.ts';

export interface DNSEndpoint {
  address: string;
  /** endpoint.hostname (StatefulSet pods), else the dashed IP CoreDNS uses. */
  label: string;
  /** The ports of the endpoint's slice: what a headless service's SRV records point at. */
  ports: EndpointPort[];
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP === 'None';
}

/** spec.clusterIPs (dual stack), falling back to spec.clusterIP; never "None". */
export function clusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : [svc.spec?.clusterIP ?? ''];
  return ips.filter((ip) => isIPv4(ip) || isIPv6(ip)).map(normalizeIP);
}

/**
 * The endpoints DNS publishes: ready ones (a missing condition counts as ready, as the API
 * says), or all of them when the service sets publishNotReadyAddresses. The same address in
 * two slices (a slice being replaced) is published once.
 */
export function serviceEndpoints(svc: Service, slices: EndpointSlice[]): DNSEndpoint[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const byAddress = new Map<string, DNSEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    for (const ep of slice.endpoints ?? []) {
      if (!publishNotReady && ep.conditions?.ready === false) continue;
      for (const raw of ep.addresses ?? []) {
        if (!isIPv4(raw) && !isIPv6(raw)) continue;
        const address = normalizeIP(raw);
        if (byAddress.has(address)) continue;
        const label = ep.hostname ? ep.hostname.toLowerCase() : dashedIP(address);
        byAddress.set(address, { address, label, ports: slice.ports ?? [] });
      }
    }
  }
  return [...byAddress.values()];
}
