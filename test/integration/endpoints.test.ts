// Endpoints, EndpointSlices and ServiceLB through the real API, with pods bound straight to
// hollow nodes (no scheduler needed) and a fake clock deciding when they turn Ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { defaultControllerConfig } from '../../src-main/controllers/context.ts';
import { defaultClusterNetwork } from '../../src-main/cluster-config/cluster-network.ts';

const { clusterCIDR: podCIDR, serviceCIDR } = defaultClusterNetwork;
import { HollowFleet } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
let cluster: TestCluster;
let kubectl: Kubectl;
const ns = 'default';

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 2, hollow: { readyDelayMs: 5000 } });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
}, 60_000);
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.stop();
});

interface PodOpts { node: string; labels?: Record<string, string>; ports?: { name?: string; containerPort: number }[] }

function pod(name: string, o: PodOpts): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: ns, labels: o.labels ?? { app: 'web' } },
    spec: { nodeName: o.node, containers: [{ name: 'c', image: 'busybox', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
  };
}

const getEndpoints = (name: string) => cluster.client.get<Endpoints>(gvr.endpoints, ns, name);
const slicesOf = async (svc: string) =>
  (await cluster.client.list<EndpointSlice>(gvr.endpointSlices, { namespace: ns, labelSelector: `kubernetes.io/service-name=${svc}` })).items;
const allEndpoints = (slices: EndpointSlice[]) => slices.flatMap((s) => s.endpoints ?? []);
/** The distinct pods listed under addresses (or notReadyAddresses) of an Endpoints. */
const names = (ep: Endpoints, field: 'addresses' | 'notReadyAddresses') =>
  [...new Set((ep.subsets ?? []).flatMap((s) => s[field] ?? []).map((x) => x.targetRef?.name))];

describe('Endpoints and EndpointSlices', () => {
  it('follow pod readiness, resolve named target ports and group addresses by port set', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'web', namespace: ns, labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }] },
    });
    const a = await cluster.client.create<Pod>(gvr.pods, pod('web-a', { node: 'sim-1' }));
    await cluster.client.create(gvr.pods, pod('web-b', { node: 'sim-2' }));
    // No port named http: this pod only serves 9090, so it gets a subset of its own.
    await cluster.client.create(gvr.pods, pod('web-c', { node: 'sim-2', ports: [{ name: 'other', containerPort: 7070 }] }));
    // Not selected.
    await cluster.client.create(gvr.pods, pod('db', { node: 'sim-1', labels: { app: 'db' } }));

    const notReady = await waitFor('three not-ready addresses', async () => {
      const ep = await getEndpoints('web');
      return names(ep, 'notReadyAddresses').length === 3 && ep;
    });
    expect(notReady.metadata?.labels).toMatchObject({ tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' });
    expect(notReady.subsets?.every((s) => !s.addresses)).toBe(true);
    // The first sync that shows a pod is stamped with that pod's last Ready transition.
    expect(notReady.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z$/);

    await clock.advance(5000);
    const ready = await waitFor('ready addresses', async () => {
      const ep = await getEndpoints('web');
      return names(ep, 'addresses').length === 3 && ep;
    });
    // As upstream's RepackSubsets: ports that serve the same addresses share a subset.
    const subsets = ready.subsets ?? [];
    expect(subsets).toHaveLength(2);
    const http = subsets.find((s) => s.ports?.[0].name === 'http')!;
    const metrics = subsets.find((s) => s.ports?.[0].name === 'metrics')!;
    expect(http.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(http.addresses?.map((x) => x.targetRef?.name)).toEqual(expect.arrayContaining(['web-a', 'web-b']));
    expect(http.addresses).toHaveLength(2);
    expect(metrics.ports).toEqual([{ name: 'metrics', port: 9090, protocol: 'TCP' }]);
    expect(metrics.addresses?.map((x) => x.targetRef?.name).sort()).toEqual(['web-a', 'web-b', 'web-c']);
    // Sorted by IP within a subset.
    const ips = metrics.addresses!.map((x) => x.ip);
    expect([...ips].sort()).toEqual(ips);
    const addrA = http.addresses!.find((x) => x.targetRef?.name === 'web-a')!;
    const liveA = await cluster.client.get<Pod>(gvr.pods, ns, 'web-a');
    expect(addrA).toMatchObject({ ip: liveA.status?.podIP, nodeName: 'sim-1', targetRef: { kind: 'Pod', namespace: ns, name: 'web-a', uid: a.metadata?.uid } });

    const slices = await waitFor('slices with three ready endpoints', async () => {
      const list = await slicesOf('web');
      return allEndpoints(list).filter((e) => e.conditions?.ready).length === 3 && list;
    });
    for (const s of slices) {
      expect(s.addressType).toBe('IPv4');
      expect(s.metadata?.generateName).toBe('web-');
      expect(s.metadata?.labels).toMatchObject({ tier: 'front', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
      expect(s.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: 'v1', kind: 'Service', name: 'web', controller: true, blockOwnerDeletion: true });
    }
    // One slice per port set.
    expect(slices.map((s) => s.ports?.length).sort()).toEqual([1, 2]);
    const epA = allEndpoints(slices).find((e) => e.targetRef?.name === 'web-a')!;
    expect(epA).toMatchObject({ addresses: [liveA.status?.podIP], nodeName: 'sim-1', conditions: { ready: true, serving: true, terminating: false } });
  });

  it('write nothing when a pod changes in a way no endpoint shows', async () => {
    const before = await getEndpoints('web');
    const slicesBefore = (await slicesOf('web')).map((s) => s.metadata?.resourceVersion).sort();
    await cluster.client.patch(gvr.pods, ns, 'web-a', { metadata: { annotations: { touched: 'yes' } } }, 'merge');
    await new Promise((r) => setTimeout(r, 500));
    expect((await getEndpoints('web')).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect((await slicesOf('web')).map((s) => s.metadata?.resourceVersion).sort()).toEqual(slicesBefore);
  });

  it('drop terminating pods from Endpoints and mark them terminating in slices', async () => {
    cluster.fleet.silence('sim-2'); // a silent node never finishes the deletion: the pod stays Terminating
    await cluster.client.delete(gvr.pods, ns, 'web-b');
    await waitFor('web-b out of the Endpoints', async () => {
      const ep = await getEndpoints('web');
      const listed = [...names(ep, 'addresses'), ...names(ep, 'notReadyAddresses')];
      return !listed.includes('web-b') && listed.includes('web-a');
    });
    const terminating = await waitFor('web-b terminating in the slice', async () => {
      const e = allEndpoints(await slicesOf('web')).find((x) => x.targetRef?.name === 'web-b');
      return e?.conditions?.terminating === true && e;
    });
    expect(terminating.conditions).toEqual({ ready: false, serving: true, terminating: true });
    await cluster.fleet.resume('sim-2');
    await waitFor('web-b gone from the slices', async () => !allEndpoints(await slicesOf('web')).some((x) => x.targetRef?.name === 'web-b'));
  });

  it('publish not-ready pods as addresses when the service asks for it', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'peers', namespace: ns },
      spec: { selector: { app: 'peer' }, publishNotReadyAddresses: true, clusterIP: 'None', ports: [{ port: 7000 }] },
    });
    await cluster.client.create(gvr.pods, pod('peer-1', { node: 'sim-1', labels: { app: 'peer' } }));
    const ep = await waitFor('peer-1 listed', async () => {
      const e = await getEndpoints('peers');
      return (e.subsets?.[0]?.addresses?.length ?? 0) === 1 && e;
    });
    expect(ep.subsets?.[0].notReadyAddresses).toBeUndefined();
    expect(ep.subsets?.[0].ports).toEqual([{ port: 7000, protocol: 'TCP' }]);
    expect(ep.metadata?.labels?.['service.kubernetes.io/headless']).toBe('');
  });

  it('leave the Endpoints of a service without selector to its user', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'external', namespace: ns }, spec: { ports: [{ port: 5432 }] },
    });
    await cluster.client.create(gvr.endpoints, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external', namespace: ns },
      subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }],
    } as Endpoints);
    await new Promise((r) => setTimeout(r, 500));
    const ep = await getEndpoints('external');
    expect(ep.subsets?.[0].addresses?.[0].ip).toBe('192.0.2.10');
    expect(ep.metadata?.labels?.['endpoints.kubernetes.io/managed-by']).toBeUndefined();
    expect(await slicesOf('external')).toHaveLength(0);
  });

  it('hold at most 100 endpoints per slice, and rewrite only the slice that changed', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'many', namespace: ns },
      spec: { selector: { app: 'many' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await Promise.all(Array.from({ length: 105 }, (_, i) =>
      cluster.client.create(gvr.pods, pod(`many-${i}`, { node: i % 2 ? 'sim-1' : 'sim-2', labels: { app: 'many' } }))));
    let seen: unknown;
    const slices = await waitFor('105 endpoints in slices', async () => {
      const list = await slicesOf('many');
      seen = list.map((s) => [s.metadata?.name, s.endpoints?.length]);
      return allEndpoints(list).length === 105 && list;
    }, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(seen)}\n${cluster.logs.slice(-20).join('\n')}`);
    });
    // However the pods arrived, no slice holds more than 100 (as upstream, slices are not
    // rebalanced: 10 + 95 is as good as 100 + 5).
    expect(slices.length).toBeGreaterThanOrEqual(2);
    for (const s of slices) expect(s.endpoints.length).toBeLessThanOrEqual(100);
    const ep = await waitFor('105 Endpoints addresses', async () => {
      const e = await getEndpoints('many');
      return (e.subsets?.[0]?.notReadyAddresses?.length ?? 0) + (e.subsets?.[0]?.addresses?.length ?? 0) === 105 && e;
    });
    expect(ep.subsets).toHaveLength(1);

    const [small, ...others] = [...slices].sort((x, y) => x.endpoints.length - y.endpoints.length);
    const victim = small.endpoints[0].targetRef!.name!;
    await cluster.client.delete(gvr.pods, ns, victim);
    await waitFor('the small slice rewritten', async () => {
      const list = await slicesOf('many');
      return allEndpoints(list).length === 104 && list;
    });
    const after = await slicesOf('many');
    for (const o of others) expect(after.find((s) => s.metadata?.name === o.metadata?.name)?.metadata?.resourceVersion).toBe(o.metadata?.resourceVersion);
  });

  it('remove the Endpoints and slices with their service', async () => {
    await cluster.client.delete(gvr.services, ns, 'many');
    await waitFor('Endpoints gone', async () => {
      try {
        await getEndpoints('many');
        return false;
      } catch (e) {
        return (e as { status?: number }).status === 404;
      }
    });
    await waitFor('slices gone (garbage collected)', async () => (await slicesOf('many')).length === 0, 30_000);
  });
});

describe('Service addresses', () => {
  const inRange = (ip: string, cidr: string) => {
    const [base, bits] = cidr.split('/');
    const n = (s: string) => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const mask = 2 ** 32 - 2 ** (32 - Number(bits));
    return (n(ip) & mask) >>> 0 === (n(base) & mask) >>> 0;
  };

  it('give NodePort and LoadBalancer services a ClusterIP from 10.43/16 and node ports, apart from the pod range', async () => {
    expect(serviceCIDR).toBe('10.43.0.0/16');
    expect(podCIDR).toBe('10.42.0.0/16');
    expect(defaultControllerConfig.podCIDR).toBe(podCIDR);
    for (const type of ['NodePort', 'LoadBalancer'] as const) {
      const svc = await cluster.client.create<Service>(gvr.services, {
        apiVersion: 'v1', kind: 'Service', metadata: { name: `alloc-${type.toLowerCase()}`, namespace: ns },
        spec: { type, selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      });
      const ip = svc.spec!.clusterIP!;
      expect(inRange(ip, serviceCIDR)).toBe(true);
      expect(inRange(ip, podCIDR)).toBe(false);
      const nodePort = svc.spec!.ports![0].nodePort!;
      expect(nodePort).toBeGreaterThanOrEqual(30000);
      expect(nodePort).toBeLessThanOrEqual(32767);
      await cluster.client.delete(gvr.services, ns, svc.metadata!.name!);
    }
    // Pod IPs come from the nodes' podCIDRs (inside 10.42/16) once node IPAM gave them one.
    const live = await cluster.client.get<Pod>(gvr.pods, ns, 'web-a');
    const node = await cluster.client.get<Node>(gvr.nodes, undefined, 'sim-1');
    if (node.spec?.podCIDR) {
      expect(inRange(node.spec.podCIDR.split('/')[0], podCIDR)).toBe(true);
      expect(inRange(live.status!.podIP!, serviceCIDR)).toBe(false);
    }
  });
});

describe('ServiceLB', () => {
  const externalIP = async () => {
    const out = await kubectl.ok(['get', 'svc', 'lb', '-n', ns, '--no-headers']);
    return out.trim().split(/\s+/)[3];
  };

  it('shows the Ready nodes as EXTERNAL-IP in kubectl get svc, following nodes that come and go', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: ns },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const svc = await waitFor('ingress of both nodes', async () => {
      const s = await cluster.client.get<Service>(gvr.services, ns, 'lb');
      return s.status?.loadBalancer?.ingress?.length === 2 && s;
    });
    expect(svc.status?.loadBalancer?.ingress).toEqual([{ ip: '198.18.0.1', ipMode: 'VIP' }, { ip: '198.18.0.2', ipMode: 'VIP' }]);
    expect(svc.metadata?.finalizers).toContain('service.kubernetes.io/load-balancer-cleanup');
    expect(await externalIP()).toBe('198.18.0.1,198.18.0.2');
    // The oldest kubectl reads the same column of the server's table.
    const old = new Kubectl('1.20', cluster.kubeconfigPath);
    try {
      expect((await old.ok(['get', 'svc', 'lb', '-n', ns, '--no-headers'])).trim().split(/\s+/)[3]).toBe('198.18.0.1,198.18.0.2');
    } finally {
      await old.cleanup();
    }

    // A node joins; it has an ExternalIP, which is what the load balancer lists for it.
    const extra = new HollowFleet({ client: cluster.client, nodes: [{ name: 'extra-1' }], clock });
    await extra.start();
    try {
      const node = await cluster.client.get<Node>(gvr.nodes, undefined, 'extra-1');
      await cluster.client.patch(gvr.nodes, undefined, 'extra-1', {
        status: { addresses: [...(node.status?.addresses ?? []), { type: 'ExternalIP', address: '203.0.113.7' }] },
      }, 'strategic', { subresource: 'status' });
      await waitFor('three addresses in kubectl', async () => (await externalIP()) === '198.18.0.1,198.18.0.2,203.0.113.7');
      await cluster.client.delete(gvr.nodes, undefined, 'extra-1');
      await waitFor('back to two after the node is deleted', async () => (await externalIP()) === '198.18.0.1,198.18.0.2');
    } finally {
      await extra.stop();
    }
    await cluster.cp.controllers?.flushEvents();
    const events = await kubectl.ok(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=lb']);
    expect(events).toContain('EnsuringLoadBalancer');
    expect(events).toContain('EnsuredLoadBalancer');
    expect(events).toContain('UpdatedLoadBalancer');
  });

  it('clears the ingress when the type changes away from LoadBalancer', async () => {
    const svc = await cluster.client.get<Service>(gvr.services, ns, 'lb');
    await cluster.client.update(gvr.services, { ...svc, spec: { ...svc.spec, type: 'ClusterIP' } });
    const cleared = await waitFor('ingress and finalizer gone', async () => {
      const s = await cluster.client.get<Service>(gvr.services, ns, 'lb');
      return !s.status?.loadBalancer?.ingress && !s.metadata?.finalizers?.length && s;
    });
    expect(cleared.spec?.type).toBe('ClusterIP');
    expect(await externalIP()).toBe('<none>');
  });

  it('leaves services of another loadBalancerClass alone', async () => {
    await cluster.client.create(gvr.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'other-lb', namespace: ns },
      spec: { type: 'LoadBalancer', loadBalancerClass: 'example.com/cloud', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    await new Promise((r) => setTimeout(r, 500));
    const s = await cluster.client.get<Service>(gvr.services, ns, 'other-lb');
    expect(s.status?.loadBalancer?.ingress).toBeUndefined();
    expect(s.metadata?.finalizers).toBeUndefined();
  });
});
