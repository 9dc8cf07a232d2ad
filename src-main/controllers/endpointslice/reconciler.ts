// What the EndpointSlice controller changes for one service (upstream's reconciler.go): the
// desired endpoints are grouped by port set, then, per port set, existing slices keep the
// endpoints they already hold (updated in place), lose the ones no longer wanted, and take new
// ones where there is room before any new slice is made — so a pod coming or going rewrites one
// slice, not all of them. A service without endpoints keeps one empty placeholder slice.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1';
import { shouldPodBeInEndpoints } from './pod-endpoints.ts';
import {
  endpointKey, endpointPorts, endpointsEqual, newSlice, ownedBy, podToEndpoint, portMapKey, sliceLabels, type AddressType,
} from './slice-endpoints.ts';

/** Endpoints one slice holds at most (kube-controller-manager's --max-endpoints-per-slice). */
export const maxEndpointsPerSlice = 100;

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods left out because their node is unknown: look again later. */
  missingNodes: boolean;
}

interface Desired {
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

function desiredByPortMap(svc: Service, pods: readonly Pod[], nodeOf: (name: string) => Node | undefined, addressType: AddressType) {
  const desired = new Map<string, Desired>();
  let missingNodes = false;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const node = pod.spec?.nodeName ? nodeOf(pod.spec.nodeName) : undefined;
    // A pod on a node that does not exist is left out (unless not-ready addresses are published)
    // and the service looked at again, so such a pod cannot pin a stale endpoint.
    if (!node && svc.spec?.publishNotReadyAddresses !== true) {
      missingNodes = true;
      continue;
    }
    const ports = endpointPorts(svc, pod);
    const key = portMapKey(ports);
    let d = desired.get(key);
    if (!d) desired.set(key, (d = { ports, endpoints: new Map() }));
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) d.endpoints.set(endpointKey(ep), ep);
  }
  return { desired, missingNodes };
}

/** The changes that bring the service's slices of one address type to what its pods say. */
export function planSlices(
  svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], nodeOf: (name: string) => Node | undefined,
  addressType: AddressType,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [], missingNodes: false };
  const byPortMap = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (slice.addressType !== addressType) continue;
    if (!ownedBy(slice, svc)) {
      plan.delete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports);
    byPortMap.set(key, [...(byPortMap.get(key) ?? []), slice]);
  }
  const { desired, missingNodes } = desiredByPortMap(svc, pods, nodeOf, addressType);
  plan.missingNodes = missingNodes;
  for (const [key, d] of desired) {
    const part = planPortMap(svc, byPortMap.get(key) ?? [], d, addressType);
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
  }
  for (const [key, slices] of byPortMap) if (!desired.has(key)) plan.delete.push(...slices);
  addPlaceholder(svc, existing.filter((s) => s.addressType === addressType), plan, addressType);
  reuseDeletedNames(svc, plan);
  return plan;
}

/** The three steps of upstream's reconcileByPortMapping for one port set. */
function planPortMap(svc: Service, existing: readonly EndpointSlice[], d: Desired, addressType: AddressType) {
  const wanted = new Map(d.endpoints);
  const update = new Map<string, EndpointSlice>();
  const unchanged = new Map<string, EndpointSlice>();
  const toDelete: EndpointSlice[] = [];
  // 1. Existing slices keep (and refresh) the endpoints still wanted, drop the others.
  for (const slice of existing) {
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of slice.endpoints ?? []) {
      const want = wanted.get(endpointKey(ep));
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqual(want, ep)) changed = true;
      wanted.delete(endpointKey(ep));
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, svc);
    const name = slice.metadata!.name!;
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(slice);
      else update.set(name, { ...copySlice(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
    } else if (labelsChanged) {
      update.set(name, { ...copySlice(slice), metadata: { ...structuredClone(slice.metadata), labels } });
    } else {
      unchanged.set(name, slice);
    }
  }
  const rest = [...wanted.values()];
  // 2. Slices being written anyway are filled up first, the fullest first.
  const filling = [...update.values()].sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
  for (const slice of filling) {
    while (rest.length > 0 && slice.endpoints.length < maxEndpointsPerSlice) slice.endpoints.push(rest.shift()!);
  }
  // 3. What is left goes into the unchanged slice it fits best, else into new slices.
  const create: EndpointSlice[] = [];
  while (rest.length > 0) {
    let target: EndpointSlice | undefined;
    if (rest.length < maxEndpointsPerSlice && unchanged.size > 0) {
      const best = closestFit([...unchanged.values()], rest.length);
      if (best) {
        target = copySlice(best);
        unchanged.delete(best.metadata!.name!);
        update.set(best.metadata!.name!, target);
      }
    }
    if (!target) create.push((target = newSlice(svc, d.ports, addressType)));
    while (rest.length > 0 && target.endpoints.length < maxEndpointsPerSlice) target.endpoints.push(rest.shift()!);
  }
  return { create, update: [...update.values()], delete: toDelete };
}

/** A copy to change (never the cache's object); the server may send no endpoints as null. */
function copySlice(slice: EndpointSlice): EndpointSlice {
  const copy = structuredClone(slice);
  copy.endpoints ??= [];
  return copy;
}

/** The unchanged slice that will be closest to full once n endpoints are added (getSliceToFill). */
function closestFit(slices: EndpointSlice[], n: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestDiff = maxEndpointsPerSlice;
  for (const s of slices) {
    const diff = maxEndpointsPerSlice - (n + (s.endpoints?.length ?? 0));
    if (diff >= 0 && diff < bestDiff) {
      bestDiff = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}

/** With no slice left to hold anything, one empty slice says "this service has no endpoints". */
function addPlaceholder(svc: Service, existing: readonly EndpointSlice[], plan: SlicePlan, addressType: AddressType): void {
  if (existing.length !== plan.delete.length || plan.create.length > 0) return;
  const placeholder = newSlice(svc, [], addressType);
  const only = plan.delete[0];
  if (plan.delete.length === 1 && ownedBy(only, svc) && (only.endpoints ?? []).length === 0 && (only.ports ?? []).length === 0
    && !sliceLabels(only, svc).changed) {
    plan.delete = []; // the placeholder is already there
    return;
  }
  plan.create.push(placeholder);
}

/** Creates become updates of slices that would be deleted, so a name is reused, not churned. */
function reuseDeletedNames(svc: Service, plan: SlicePlan): void {
  for (let i = 0; i < plan.delete.length && plan.create.length > 0;) {
    const old = plan.delete[i];
    if (!ownedBy(old, svc)) {
      i++;
      continue;
    }
    const fresh = plan.create.pop()!;
    fresh.metadata = { ...structuredClone(old.metadata), labels: fresh.metadata?.labels, ownerReferences: fresh.metadata?.ownerReferences };
    delete fresh.metadata.generateName;
    plan.update.push(fresh);
    plan.delete.splice(i, 1);
  }
}
