// From Services and EndpointSlices to what the proxy programs, as kube-proxy's ServiceChangeTracker
// and EndpointsChangeTracker see them: one entry per service port, with its cluster IP, node port,
// external and load-balancer IPs, and the ready IPv4 endpoints the slices give for that port name.
import type { Service, ServicePort } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { servicePortName } from './chain-names.ts';
import type { Protocol, ProxyEndpoint, ProxyServicePort } from './proxy-model.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** sessionAffinityConfig.clientIP.timeoutSeconds' default: 3 hours. */
const DEFAULT_AFFINITY_SECONDS = 10_800;

const isIPv4 = (ip: string | undefined): ip is string => !!ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip);

/** The ready endpoints a service's slices give for one of its ports, each ip:port once. */
function endpointsFor(port: ServicePort, slices: readonly EndpointSlice[], nodeName: string): ProxyEndpoint[] {
  const seen = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    // A slice port matches the service port of the same name ("" for the one unnamed port).
    const target = slice.ports?.find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (target?.port === undefined) continue;
    for (const e of slice.endpoints) {
      // Unset ready means ready (the API's own reading); a terminating pod is never ready.
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses.filter(isIPv4)) {
        const key = `${ip}:${target.port}`;
        if (!seen.has(key)) seen.set(key, { ip, port: target.port, local: e.nodeName === nodeName });
      }
    }
  }
  return [...seen.values()].sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`, 'en', { numeric: true }));
}

/** Only ClusterIP, NodePort and LoadBalancer services with a VIP are proxied (not headless, not ExternalName). */
function proxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && isIPv4(ip);
}

export function serviceProxyPorts(svc: Service, slices: readonly EndpointSlice[], nodeName: string): ProxyServicePort[] {
  if (!proxied(svc)) return [];
  const spec = svc.spec!;
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const lbIPs = spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4) : [];
  const externalIPs = [...new Set([...(spec.externalIPs ?? []).filter(isIPv4), ...lbIPs])];
  const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : undefined;
  return (spec.ports ?? []).map((port) => ({
    name: servicePortName(svc.metadata!.namespace!, svc.metadata!.name!, port.name ?? ''),
    protocol: (port.protocol ?? 'TCP') as Protocol,
    clusterIP: spec.clusterIP,
    port: port.port,
    nodePort: external ? port.nodePort : undefined,
    externalIPs,
    // The policy is only for traffic from outside: node ports and external IPs.
    externalTrafficPolicy: (external || externalIPs.length > 0) && spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    affinitySeconds,
    endpoints: endpointsFor(port, slices, nodeName),
  }));
}
