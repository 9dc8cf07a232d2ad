// What the Endpoints and EndpointSlice controllers ask about a pod behind a Service (upstream's
// k8s.io/endpointslice/util and pkg/api/v1/pod FindPort): whether it belongs in the endpoints at
// all, which container port a service port resolves to, and whether its hostname is published.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1';
import { isPodReady } from '../pod-state.ts';

/**
 * A pod is an endpoint once it has an IP and until it is finished (Succeeded or Failed);
 * a pod being deleted only while terminating endpoints are wanted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A ClusterIP other than None: not a headless service. */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** The pod's hostname is published when its subdomain names this service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/**
 * The container port a service port's targetPort means on this pod: a number as it is, a name
 * looked up among the containers' (and sidecars') named ports of the same protocol.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The pod's IPs of one family (this cluster is IPv4; the family follows the service). */
export function podIPsOfFamily(pod: Pod, family: 'IPv4' | 'IPv6'): string[] {
  const ips = pod.status?.podIPs?.map((p) => p.ip ?? '') ?? [pod.status?.podIP ?? ''];
  return ips.filter((ip) => ip !== '' && (ip.includes(':') ? 'IPv6' : 'IPv4') === family);
}

/** The first IP family of the service (upstream uses spec.ipFamilies[0], then the ClusterIP). */
export function serviceFamily(svc: Service): 'IPv4' | 'IPv6' {
  const first = svc.spec?.ipFamilies?.[0];
  if (first === 'IPv6' || first === 'IPv4') return first;
  return svc.spec?.clusterIP?.includes(':') ? 'IPv6' : 'IPv4';
}

/**
 * Whether a pod change can change any endpoint (upstream's podEndpointsChanged): its IPs,
 * readiness, deletion, node, hostname, phase or ports. Status churn that changes none of these
 * (container restarts counted, probes' timestamps) does not wake the controllers.
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): boolean {
  if (isPodReady(oldPod) !== isPodReady(newPod)) return true;
  if (!!oldPod.metadata?.deletionTimestamp !== !!newPod.metadata?.deletionTimestamp) return true;
  const o = oldPod.status ?? {};
  const n = newPod.status ?? {};
  if (o.podIP !== n.podIP || o.phase !== n.phase) return true;
  if (JSON.stringify(o.podIPs ?? []) !== JSON.stringify(n.podIPs ?? [])) return true;
  const os = oldPod.spec ?? { containers: [] };
  const ns = newPod.spec ?? { containers: [] };
  if (os.nodeName !== ns.nodeName || os.hostname !== ns.hostname || os.subdomain !== ns.subdomain) return true;
  const ports = (p: typeof os) => JSON.stringify([...(p.containers ?? []), ...(p.initContainers ?? [])].map((c) => c.ports ?? []));
  return ports(os) !== ports(ns);
}

/** RFC 3339 as Go's RFC3339Nano prints it: fractional seconds without trailing zeros. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
