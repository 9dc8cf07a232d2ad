// The subsets of a v1 Endpoints object, packed as upstream's RepackSubsets does: every address
// grouped with exactly the set of ports it serves (one subset per distinct port set), an address
// that is not ready on some port listed as not ready, everything sorted so that the same pods
// always give the same object — which is what lets the controller skip writes that change nothing.
import { createHash } from 'node:crypto';
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1';

/** One address seen on one port (or on "no port", for headless services without ports). */
export interface AddressOnPort {
  address: EndpointAddress;
  port?: EndpointPort;
  ready: boolean;
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort | undefined): string {
  return p ? JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']) : '';
}

/** LessEndpointAddress: by IP, then by the target's uid (an address without target first). */
function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const au = a.targetRef?.uid;
  const bu = b.targetRef?.uid;
  if (au === bu) return 0;
  if (au === undefined) return -1;
  if (bu === undefined) return 1;
  return au < bu ? -1 : 1;
}

function hash(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('hex');
}

/**
 * Builds the subsets. Upstream orders ports and subsets by a hash of their Go representation;
 * ours orders them by a hash of their JSON, so the order is as stable, though not the same.
 */
export function repackSubsets(entries: readonly AddressOnPort[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  // port key → (address key → ready); not ready on a port wins over ready.
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  for (const e of entries) {
    const ak = addressKey(e.address);
    if (!addresses.has(ak)) addresses.set(ak, e.address);
    const pk = portKey(e.port);
    let slot = byPort.get(pk);
    if (!slot) byPort.set(pk, (slot = { port: e.port, ready: new Map() }));
    if (slot.ready.get(ak) !== false) slot.ready.set(ak, e.ready);
  }
  // Ports that serve exactly the same addresses (with the same readiness) share a subset.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const gk = [...ready.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, r]) => `${k}=${r}`).join('|');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { ready, ports: [] }));
    if (port) g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.ready) (r ? ready : notReady).push(addresses.get(ak)!);
    const subset: EndpointSubset = {};
    if (ready.length > 0) subset.addresses = ready.sort(compareAddresses);
    if (notReady.length > 0) subset.notReadyAddresses = notReady.sort(compareAddresses);
    if (g.ports.length > 0) subset.ports = g.ports.map((p) => ({ p, h: hash(p) })).sort((a, b) => (a.h < b.h ? -1 : 1)).map((x) => x.p);
    subsets.push(subset);
  }
  return subsets.map((s) => ({ s, h: hash(s) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0)).map((x) => x.s);
}

/** Subsets equal apart from the targets' resourceVersions (which churn with every pod write). */
export function subsetsEqual(a: readonly EndpointSubset[] | undefined, b: readonly EndpointSubset[] | undefined): boolean {
  const strip = (list: readonly EndpointSubset[] | undefined): string => JSON.stringify((list ?? []).map((s) => ({
    addresses: (s.addresses ?? []).map(withoutRV),
    notReadyAddresses: (s.notReadyAddresses ?? []).map(withoutRV),
    ports: (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '' })),
  })));
  return strip(a) === strip(b);
}

function withoutRV(a: EndpointAddress): unknown {
  const ref = a.targetRef ? { kind: a.targetRef.kind, namespace: a.targetRef.namespace, name: a.targetRef.name, uid: a.targetRef.uid } : undefined;
  return { ip: a.ip, hostname: a.hostname ?? '', nodeName: a.nodeName ?? '', targetRef: ref };
}
