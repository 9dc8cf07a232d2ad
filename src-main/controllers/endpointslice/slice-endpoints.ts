// The pieces an EndpointSlice is made of (upstream's k8s.io/endpointslice utils.go): a pod as an
// Endpoint with ready/serving/terminating conditions, the ports a pod serves for a service, the
// slice's labels and owner, and the keys that group endpoints by port set and identify them.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isPodReady } from '../pod-state.ts';
import { findPort, isServiceIPSet, podIPsOfFamily, shouldSetHostname } from './pod-endpoints.ts';

export const labelServiceName = 'kubernetes.io/service-name';
export const labelManagedBy = 'endpointslice.kubernetes.io/managed-by';
export const sliceControllerName = 'endpointslice-controller.k8s.io';
const labelHeadless = 'service.kubernetes.io/headless';
const zoneLabel = 'topology.kubernetes.io/zone';

export type AddressType = 'IPv4' | 'IPv6';

/** The pod as an endpoint of the service; terminating pods stay, marked terminating and not ready. */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPsOfFamily(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[zoneLabel];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

/** The service's ports as this pod serves them; ports whose targetPort it lacks are left out. */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** One key per distinct port set, whatever the order (upstream's PortMapKey). */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  return (ports ?? [])
    .map((p) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? '']))
    .sort()
    .join('|');
}

/** Who the endpoint is: its pod and addresses. Conditions may change; the identity does not. */
export function endpointKey(ep: Endpoint): string {
  return `${ep.targetRef?.namespace ?? ''}/${ep.targetRef?.name ?? ''}/${ep.targetRef?.uid ?? ''}|${[...ep.addresses].sort().join(',')}`;
}

/** Equal in everything a consumer reads (the target's resourceVersion is noise). */
export function endpointsEqual(a: Endpoint, b: Endpoint): boolean {
  const norm = (e: Endpoint): string => JSON.stringify([
    e.addresses, e.conditions?.ready ?? null, e.conditions?.serving ?? null, e.conditions?.terminating ?? null,
    e.hostname ?? '', e.nodeName ?? '', e.zone ?? '', e.hints ?? null,
    e.targetRef ? [e.targetRef.kind, e.targetRef.namespace, e.targetRef.name, e.targetRef.uid] : null,
  ]);
  return norm(a) === norm(b);
}

function isReservedLabel(key: string): boolean {
  return key === labelServiceName || key === labelManagedBy || key === labelHeadless;
}

/**
 * The labels a slice of this service carries: the service's own (but the reserved ones), the
 * service name, the manager, and the headless marker. `changed` says whether the service's own
 * labels differ from those on the slice.
 */
export function sliceLabels(slice: EndpointSlice | undefined, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!isReservedLabel(k)) own[k] = v;
  const current = Object.entries(slice?.metadata?.labels ?? {}).filter(([k]) => !isReservedLabel(k));
  const changed = current.length !== Object.keys(own).length || current.some(([k, v]) => own[k] !== v);
  const labels: Record<string, string> = { ...own };
  if (!isServiceIPSet(svc)) labels[labelHeadless] = '';
  labels[labelServiceName] = svc.metadata?.name ?? '';
  labels[labelManagedBy] = sliceControllerName;
  return { labels, changed };
}

/** A new, empty slice for one port set of the service, owned by it. */
export function newSlice(svc: Service, ports: EndpointPort[], addressType: AddressType): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      // Service names are DNS labels (≤ 63), so `<service>-` is always a valid prefix.
      generateName: `${svc.metadata?.name ?? ''}-`,
      namespace: svc.metadata?.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [{
        apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true,
      }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

/** Whether the slice belongs to this very service (not an earlier one of the same name). */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}
