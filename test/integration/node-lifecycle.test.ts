// Node lifecycle through the real API with hollow nodes and a fake clock: podCIDRs from node
// IPAM, a node that goes silent becoming Unknown after the grace period (not before), its
// taints, its pods marked not ready and evicted when their toleration runs out, a resumed node
// coming back clean, NoExecute taints set by hand, and pods of a deleted node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Event, Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../src-main/client/api-error.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { ControllerManager } from '../../src-main/controllers/manager.ts';
import { NodeIpamController } from '../../src-main/controllers/node-ipam.ts';
import { HollowFleet } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';

const clock = new FakeClock();
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 3, controllers: { nodeMonitorGracePeriodMs: 40_000 } });
});
afterAll(async () => cluster?.stop());

const unreachable = 'node.kubernetes.io/unreachable';

const webReplicaSet = {
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 6,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'web:v1' }] } },
  },
};

function boundPod(name: string, node: string, tolerations: Toleration[] = []): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, tolerations, containers: [{ name: 'c', image: 'busybox' }] },
  };
}

const getNode = (name: string) => cluster.client.get<Node>(gvr.nodes, undefined, name);
const condition = (node: Node, type: string) => node.status?.conditions?.find((c) => c.type === type);

async function getPod(name: string): Promise<Pod | undefined> {
  try {
    return await cluster.client.get<Pod>(gvr.pods, 'default', name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function events(namespace: string, name: string): Promise<Event[]> {
  await cluster.cp.controllers?.flushEvents();
  const list = await cluster.client.list<Event>(gvr.events, { namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

const webPods = async () => (await cluster.client.list<Pod>(gvr.pods, { namespace: 'default', labelSelector: 'app=web' })).items;

const ready = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** Moves the fake clock to `at` in steps (5 s: leases, monitor passes and timers interleave). */
async function advanceTo(at: number, stepMs = 5000): Promise<void> {
  if (at > clock.now()) await clock.advanceInSteps(at - clock.now(), stepMs);
}

describe('node IPAM', () => {
  it('gives every node a unique /24 of the pod range', async () => {
    const nodes = await waitFor('podCIDRs on all nodes', async () => {
      const list = await cluster.client.list<Node>(gvr.nodes);
      return list.items.every((n) => n.spec?.podCIDR) && list.items;
    });
    const cidrs = nodes.map((n) => n.spec!.podCIDR!);
    expect(new Set(cidrs).size).toBe(3);
    for (const n of nodes) {
      expect(n.spec?.podCIDRs).toEqual([n.spec?.podCIDR]);
      expect(n.spec?.podCIDR).toMatch(/^10\.42\.\d{1,3}\.0\/24$/);
    }
  });

  it('gives a node that joins later a block of its own', async () => {
    const extra = new HollowFleet({ client: cluster.client, nodes: [{ name: 'extra-1' }], clock });
    await extra.start();
    try {
      const node = await waitFor('extra-1 podCIDR', async () => (await getNode('extra-1')).spec?.podCIDR);
      const others = (await cluster.client.list<Node>(gvr.nodes)).items.filter((n) => n.metadata?.name !== 'extra-1').map((n) => n.spec?.podCIDR);
      expect(others).not.toContain(node);
    } finally {
      await extra.stop();
      await cluster.client.delete(gvr.nodes, undefined, 'extra-1');
    }
  });
});

describe('a node that goes silent', () => {
  it('becomes Unknown after the grace period, not before, with the unreachable taints', async () => {
    await cluster.client.create(gvr.pods, boundPod('evict-me', 'sim-2'));
    await cluster.client.create(gvr.pods, boundPod('short', 'sim-2', [{ key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]));
    await cluster.client.create(gvr.pods, boundPod('stays', 'sim-2', [{ key: unreachable, operator: 'Exists', effect: 'NoExecute' }]));
    for (const name of ['evict-me', 'short', 'stays']) await waitFor(`${name} ready`, async () => ready(await getPod(name)));
    await cluster.client.create(gvr.replicaSets, webReplicaSet);
    const placed = await waitFor('web running', async () => {
      const pods = await webPods();
      return pods.length === 6 && pods.every(ready) && pods;
    });
    // the scheduler spreads them: some are on the node that is about to go silent
    expect(placed.filter((p) => p.spec?.nodeName === 'sim-2').length).toBeGreaterThan(0);

    cluster.fleet.silence('sim-2');
    const lease = await cluster.client.get<Lease>(gvr.leases, 'kube-node-lease', 'sim-2');
    const lastRenew = Date.parse(lease.spec!.renewTime!);
    await advanceTo(lastRenew + 35_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(condition(await getNode('sim-2'), 'Ready')?.status).toBe('True');
    expect(condition(await getNode('sim-1'), 'Ready')?.status).toBe('True');

    // A monitor pass every 5 s: the first one past the 40 s grace period marks it.
    await advanceTo(lastRenew + 51_000);
    const node = await waitFor('sim-2 Unknown', async () => {
      const n = await getNode('sim-2');
      return condition(n, 'Ready')?.status === 'Unknown' && n;
    });
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(condition(node, type)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    }
    const markedAt = Date.parse(condition(node, 'Ready')!.lastTransitionTime!);
    expect(markedAt).toBeGreaterThan(lastRenew + 40_000);
    expect(condition(await getNode('sim-1'), 'Ready')?.status).toBe('True');

    const tainted = await waitFor('unreachable taints', async () => {
      const taints = (await getNode('sim-2')).spec?.taints ?? [];
      return taints.length === 2 && taints;
    });
    expect(tainted.map((t: Taint) => `${t.key}:${t.effect}`).sort()).toEqual([`${unreachable}:NoExecute`, `${unreachable}:NoSchedule`]);
    expect(tainted.find((t: Taint) => t.effect === 'NoExecute')?.timeAdded).toBeTruthy();

    const nodeEvents = await events('default', 'sim-2');
    expect(nodeEvents.find((e) => e.reason === 'NodeNotReady')?.message).toBe('Node sim-2 status is now: NodeNotReady');
  });

  it('has its pods marked not ready', async () => {
    for (const name of ['evict-me', 'short', 'stays']) {
      await waitFor(`${name} not ready`, async () => {
        const p = await getPod(name);
        return p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False';
      });
    }
    expect((await events('default', 'stays')).find((e) => e.reason === 'NodeNotReady')?.message).toBe('Node is not ready');
  });

  it('has its pods evicted when their toleration runs out, not before', async () => {
    const taint = (await getNode('sim-2')).spec!.taints!.find((t) => t.effect === 'NoExecute')!;
    const taintedAt = Date.parse(taint.timeAdded!);
    const terminating = async (name: string) => !!(await getPod(name))?.metadata?.deletionTimestamp;

    await advanceTo(taintedAt + 55_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await terminating('short')).toBe(false);
    await advanceTo(taintedAt + 65_000);
    await waitFor('short evicted', () => terminating('short'));
    const shortPod = await getPod('short');
    expect(shortPod?.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    expect((await events('default', 'short')).find((e) => e.reason === 'TaintManagerEviction')?.message).toBe('Marking for deletion Pod default/short');

    await advanceTo(taintedAt + 295_000, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await terminating('evict-me')).toBe(false);
    await advanceTo(taintedAt + 305_000);
    await waitFor('evict-me evicted', () => terminating('evict-me'));
    // No kubelet finishes them: they stay Terminating, as upstream's do.
    expect(await getPod('evict-me')).toBeDefined();
    expect(await terminating('stays')).toBe(false);
  });

  it('has its ReplicaSet pods recreated on the remaining nodes', async () => {
    const pods = await waitFor('web back to 6 active pods elsewhere', async () => {
      const all = await webPods();
      const active = all.filter((p) => !p.metadata?.deletionTimestamp);
      return active.length === 6 && active.every((p) => p.spec?.nodeName && p.spec.nodeName !== 'sim-2' && ready(p)) && all;
    });
    const onSilent = pods.filter((p) => p.spec?.nodeName === 'sim-2');
    expect(onSilent.length).toBeGreaterThan(0);
    expect(onSilent.every((p) => p.metadata?.deletionTimestamp)).toBe(true);
  });

  it('comes back Ready with its taints removed when it resumes', async () => {
    await cluster.fleet.resume('sim-2');
    await waitFor('sim-2 Ready', async () => condition(await getNode('sim-2'), 'Ready')?.status === 'True');
    await waitFor('taints removed', async () => ((await getNode('sim-2')).spec?.taints ?? []).length === 0);
    await waitFor('stays ready again', async () => ready(await getPod('stays')));
    // The node finishes the deletions it missed.
    await waitFor('evicted pods gone', async () => !(await getPod('evict-me')) && !(await getPod('short')));
  });
});

describe('NoExecute taints set by hand', () => {
  const key = 'example.com/maintenance';
  const toleration = (seconds: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });

  it('evict pods that do not tolerate them at once, the others after tolerationSeconds, and cancel when removed', async () => {
    await cluster.client.create(gvr.pods, boundPod('plain', 'sim-3'));
    await cluster.client.create(gvr.pods, boundPod('half-minute', 'sim-3', [toleration(30)]));
    await cluster.client.create(gvr.pods, boundPod('two-minutes', 'sim-3', [toleration(120)]));
    for (const name of ['plain', 'half-minute', 'two-minutes']) await waitFor(`${name} running`, async () => (await getPod(name))?.status?.phase === 'Running');

    const start = clock.now();
    await cluster.client.patch(gvr.nodes, undefined, 'sim-3', { spec: { taints: [{ key, value: 'yes', effect: 'NoExecute', timeAdded: new Date(start).toISOString().replace(/\.\d+Z$/, 'Z') }] } }, 'merge');
    await waitFor('plain evicted at once', async () => !(await getPod('plain')));
    await new Promise((r) => setTimeout(r, 200));
    expect(await getPod('half-minute')).toBeDefined();

    await advanceTo(start + 35_000);
    await waitFor('half-minute evicted', async () => !(await getPod('half-minute')));
    expect((await getPod('two-minutes'))?.metadata?.deletionTimestamp).toBeUndefined();

    await cluster.client.patch(gvr.nodes, undefined, 'sim-3', { spec: { taints: null } }, 'merge');
    await waitFor('cancel event', async () => (await events('default', 'two-minutes')).find((e) => e.message === 'Cancelling deletion of Pod default/two-minutes'));
    await advanceTo(start + 150_000, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await getPod('two-minutes'))?.metadata?.deletionTimestamp).toBeUndefined();
  });
});

describe('a deleted node', () => {
  it('has its pods deleted', async () => {
    await cluster.client.create(gvr.pods, boundPod('orphan', 'sim-3'));
    await waitFor('orphan running', async () => (await getPod('orphan'))?.status?.phase === 'Running');
    await cluster.client.delete(gvr.nodes, undefined, 'sim-3');
    await waitFor('orphan gone', async () => !(await getPod('orphan')));
    await waitFor('two-minutes gone', async () => !(await getPod('two-minutes')));
  });
});

describe('node IPAM with a full range', () => {
  let small: TestCluster;
  beforeAll(async () => {
    small = await startTestCluster({ clock: new FakeClock(), simulateNodes: 3, controllers: { podCIDR: '10.42.0.0/23', nodeCIDRMaskSize: 24 } });
  });
  afterAll(async () => small?.stop());

  it('reports CIDRNotAvailable on the node left without a block, and gives it the block a deleted node frees', async () => {
    const list = async () => (await small.client.list<Node>(gvr.nodes)).items;
    await waitFor('two nodes with a block', async () => (await list()).filter((n) => n.spec?.podCIDR).length === 2);
    const [left] = (await list()).filter((n) => !n.spec?.podCIDR);
    const event = await waitFor('CIDRNotAvailable', async () => {
      await small.cp.controllers?.flushEvents();
      const evs = await small.client.list<Event>(gvr.events, { namespace: 'default', fieldSelector: `involvedObject.name=${left.metadata!.name}` });
      return evs.items.find((e) => e.reason === 'CIDRNotAvailable');
    });
    expect(event).toMatchObject({ type: 'Warning', message: `Node ${left.metadata!.name} status is now: CIDRNotAvailable` });
    const holder = (await list()).find((n) => n.spec?.podCIDR)!;
    await small.client.delete(gvr.nodes, undefined, holder.metadata!.name!);
    const got = await waitFor('the freed block', async () => (await small.client.get<Node>(gvr.nodes, undefined, left.metadata!.name!)).spec?.podCIDR);
    expect(got).toBe(holder.spec!.podCIDR);
  });

  it('after a restart, never hands out a block a node already has', async () => {
    small.cp.controllers?.stop();
    const manager = new ControllerManager({ client: small.client, factories: [(ctx) => new NodeIpamController(ctx)], clock: new FakeClock(), config: { podCIDR: '10.42.0.0/23', nodeCIDRMaskSize: 24 }, log: () => {} });
    await manager.start();
    const late = new HollowFleet({ client: small.client, nodes: [{ name: 'late' }] });
    await late.start();
    try {
      await waitFor('CIDRNotAvailable for late', async () => {
        await manager.flushEvents();
        const evs = await small.client.list<Event>(gvr.events, { namespace: 'default', fieldSelector: 'involvedObject.name=late' });
        return evs.items.some((e) => e.reason === 'CIDRNotAvailable');
      });
      const cidrs = (await small.client.list<Node>(gvr.nodes)).items.map((n) => n.spec?.podCIDR).filter(Boolean);
      expect(cidrs.sort()).toEqual(['10.42.0.0/24', '10.42.1.0/24']);
    } finally {
      await late.stop();
      manager.stop();
    }
  });
});
