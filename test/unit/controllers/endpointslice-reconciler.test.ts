import { describe, expect, it } from 'vitest';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { maxEndpointsPerSlice, planSlices } from '../../../src-main/controllers/endpointslice/reconciler.ts';
import { SliceTracker } from '../../../src-main/controllers/endpointslice/slice-tracker.ts';

const svc: Service = {
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.43.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
};
const node: Node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };
const nodeOf = (name: string) => (name === 'n1' ? node : undefined);

function pod(i: number, ready = true): Pod {
  return {
    metadata: { name: `p${i}`, namespace: 'ns', uid: `uid-${i}`, labels: { app: 'web' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: `10.42.${i >> 8}.${i & 255}`, podIPs: [{ ip: `10.42.${i >> 8}.${i & 255}` }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

let counter = 0;
/** The plan applied the way the server would: names for creates, a new resourceVersion for each write. */
function apply(existing: EndpointSlice[], plan: ReturnType<typeof planSlices>): EndpointSlice[] {
  const byName = new Map(existing.map((s) => [s.metadata!.name!, s]));
  for (const s of plan.delete) byName.delete(s.metadata!.name!);
  for (const s of plan.update) byName.set(s.metadata!.name!, { ...s, metadata: { ...s.metadata, resourceVersion: String(++counter) } });
  for (const s of plan.create) {
    const name = `${s.metadata!.generateName}${++counter}`;
    byName.set(name, { ...s, metadata: { ...s.metadata, name, resourceVersion: String(counter) } });
  }
  return [...byName.values()];
}

describe('planSlices', () => {
  it('makes one empty placeholder slice for a service without endpoints, and keeps it', () => {
    const plan = planSlices(svc, [], [], nodeOf, 'IPv4');
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({
      addressType: 'IPv4', endpoints: [], ports: [],
      metadata: { generateName: 'web-', labels: { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    });
    const slices = apply([], plan);
    const again = planSlices(svc, [], slices, nodeOf, 'IPv4');
    expect(again.create.length + again.update.length + again.delete.length).toBe(0);
  });

  it('fills slices up to 100 endpoints, with conditions, node and zone', () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(i, i % 2 === 0));
    const slices = apply([], planSlices(svc, pods, [], nodeOf, 'IPv4'));
    expect(slices.map((s) => s.endpoints.length).sort((a, b) => a - b)).toEqual([50, 100, 100]);
    const ep = slices.flatMap((s) => s.endpoints).find((e) => e.targetRef?.name === 'p1')!;
    expect(ep).toMatchObject({ nodeName: 'n1', zone: 'z1', conditions: { ready: false, serving: false, terminating: false } });
    expect(slices[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slices[0].metadata?.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  });

  it('changes only the slice that holds a changed endpoint, and reuses room before creating', () => {
    const pods = Array.from({ length: 150 }, (_, i) => pod(i));
    let slices = apply([], planSlices(svc, pods, [], nodeOf, 'IPv4'));
    const holder = slices.find((s) => s.endpoints.some((e) => e.targetRef?.name === 'p7'))!;
    pods[7] = pod(7, false);
    const plan = planSlices(svc, pods, slices, nodeOf, 'IPv4');
    expect(plan.create).toHaveLength(0);
    expect(plan.delete).toHaveLength(0);
    expect(plan.update.map((s) => s.metadata?.name)).toEqual([holder.metadata?.name]);
    slices = apply(slices, plan);
    // Ten new pods fit into the slice with room.
    const more = [...pods, ...Array.from({ length: 10 }, (_, i) => pod(200 + i))];
    const grow = planSlices(svc, more, slices, nodeOf, 'IPv4');
    expect(grow.create).toHaveLength(0);
    expect(grow.update).toHaveLength(1);
    expect(apply(slices, grow).every((s) => s.endpoints.length <= maxEndpointsPerSlice)).toBe(true);
  });

  it('keeps terminating pods, marked terminating and serving while still ready', () => {
    const p = { ...pod(1), metadata: { ...pod(1).metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const [slice] = planSlices(svc, [p], [], nodeOf, 'IPv4').create;
    expect(slice.endpoints[0].conditions).toEqual({ ready: false, serving: true, terminating: true });
  });

  it('deletes slices of an older service of the same name, and reuses a slice that would be deleted', () => {
    const stale: EndpointSlice = {
      metadata: { name: 'web-old', namespace: 'ns', labels: {}, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'other' }] },
      addressType: 'IPv4', endpoints: [], ports: [],
    };
    const plan = planSlices(svc, [pod(1)], [stale], nodeOf, 'IPv4');
    expect(plan.delete.map((s) => s.metadata?.name)).toEqual(['web-old']);
    expect(plan.create).toHaveLength(1);
    // A slice of ours whose endpoints all left is rewritten with the newcomers instead.
    const slices = apply([], planSlices(svc, [pod(1)], [], nodeOf, 'IPv4'));
    const swap = planSlices(svc, [pod(2)], slices, nodeOf, 'IPv4');
    expect(swap.create).toHaveLength(0);
    expect(swap.delete).toHaveLength(0);
    expect(swap.update[0].endpoints.map((e) => e.targetRef?.name)).toEqual(['p2']);
  });

  it('leaves out pods on unknown nodes and says so', () => {
    const lost = { ...pod(1), spec: { ...pod(1).spec!, nodeName: 'gone' } };
    const plan = planSlices(svc, [lost, pod(2)], [], nodeOf, 'IPv4');
    expect(plan.missingNodes).toBe(true);
    expect(plan.create[0].endpoints.map((e) => e.targetRef?.name)).toEqual(['p2']);
  });
});

describe('SliceTracker', () => {
  const slice = (name: string, rv: string): EndpointSlice => ({ metadata: { name, resourceVersion: rv }, addressType: 'IPv4', endpoints: [] });

  it('holds a service back until the cache shows its own writes, and ignores their echo', () => {
    const t = new SliceTracker();
    const cache = new Map<string, EndpointSlice>();
    t.wrote('ns/web', slice('a', '5'));
    expect(t.stale('ns/web', (n) => cache.get(n))).toBe(true);
    cache.set('a', slice('a', '5'));
    expect(t.observed('ns/web', slice('a', '5'), false)).toBe(true);
    expect(t.stale('ns/web', (n) => cache.get(n))).toBe(false);
    // A change by someone else is not an echo.
    expect(t.observed('ns/web', slice('a', '9'), false)).toBe(false);
    t.deleted('ns/web', slice('a', '9'));
    expect(t.stale('ns/web', (n) => cache.get(n))).toBe(true);
    cache.delete('a');
    expect(t.stale('ns/web', (n) => cache.get(n))).toBe(false);
  });
});
