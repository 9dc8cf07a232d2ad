// How a Service and its Endpoints read, as `kubectl get svc,ep` prints them.
import type { EndpointAddress, EndpointSubset, Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1';

/** kubectl's EXTERNAL-IP: load balancer ingress and external IPs, "<pending>" for a LoadBalancer without. */
export function externalAddresses(svc: Service): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') return svc.spec?.externalName ?? '';
  const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
  const all = [...ingress, ...(svc.spec?.externalIPs ?? [])];
  if (all.length) return all.join(',');
  return type === 'LoadBalancer' ? '<pending>' : '<none>';
}

/** "80:8080/TCP" (port:targetPort/protocol), and the node port when there is one: "80:8080/TCP node 30080". */
export function portText(p: ServicePort): string {
  const target = p.targetPort === undefined || p.targetPort === p.port ? '' : `:${p.targetPort}`;
  const node = p.nodePort ? ` node ${p.nodePort}` : '';
  return `${p.name ? `${p.name} ` : ''}${p.port}${target}/${p.protocol ?? 'TCP'}${node}`;
}

export interface EndpointRow {
  ip: string;
  ready: boolean;
  pod?: string;
  node?: string;
  ports: string;
}

function addressRows(subset: EndpointSubset, addresses: EndpointAddress[] | undefined, ready: boolean): EndpointRow[] {
  const ports = (subset.ports ?? []).map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
  return (addresses ?? []).map((a) => ({
    ip: a.ip,
    ready,
    pod: a.targetRef?.kind === 'Pod' ? a.targetRef.name : undefined,
    node: a.nodeName,
    ports,
  }));
}

/** Every address of an Endpoints object, ready ones first, each with the ports of its subset. */
export function endpointRows(ep: Endpoints | undefined): EndpointRow[] {
  const subsets = ep?.subsets ?? [];
  return [
    ...subsets.flatMap((s) => addressRows(s, s.addresses, true)),
    ...subsets.flatMap((s) => addressRows(s, s.notReadyAddresses, false)),
  ];
}

/** kubectl's ENDPOINTS column: "10.0.0.5:80,10.0.0.6:80" (ready addresses only), or "<none>". */
export function endpointsText(ep: Endpoints): string {
  const pairs = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports?.length ? s.ports.map((p) => `${a.ip}:${p.port}`) : [a.ip])));
  if (pairs.length === 0) return '<none>';
  return pairs.length > 3 ? `${pairs.slice(0, 3).join(',')} + ${pairs.length - 3} more` : pairs.join(',');
}
