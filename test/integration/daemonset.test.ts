// The DaemonSet controller through the real API, the scheduler and hollow nodes (a fake clock
// makes pods Ready only when the test says so): one pod per node, pinned by node affinity and
// bound by the scheduler; a node that joins gets one, a tainted node is left out unless
// tolerated; a rolling update replaces pods one node at a time and `kubectl rollout status`
// follows it to the end; OnDelete waits for pods to be deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonSet, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1';
import type { Event, Pod, Toleration } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { HollowFleet } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
const readyDelayMs = 5000;
let cluster: TestCluster;
let kubectl: Kubectl;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 3, hollow: { readyDelayMs } });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
});
afterAll(async () => {
  await kubectl?.cleanup();
  await cluster?.stop();
});

function daemonSet(name: string, opts: { image?: string; tolerations?: Toleration[]; strategy?: DaemonSetUpdateStrategy } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      ...(opts.strategy ? { updateStrategy: opts.strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { tolerations: opts.tolerations, containers: [{ name: 'c', image: opts.image ?? 'agent:v1' }] },
      },
    },
  };
}

async function podsOf(name: string): Promise<Pod[]> {
  return (await cluster.client.list<Pod>(gvr.pods, { namespace: 'default', labelSelector: `app=${name}` })).items;
}

const live = (pods: Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp);
const nodesOf = (pods: Pod[]) => live(pods).map((p) => p.spec?.nodeName ?? '?').sort();
const isReady = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
const getDS = (name: string) => cluster.client.get<DaemonSet>(gvr.daemonSets, 'default', name);

/** Advances the fake clock past the hollow nodes' ready delay. */
const makeReady = () => clock.advance(readyDelayMs + 1000);

async function waitForPodsOn(name: string, nodes: string[], ready = true): Promise<Pod[]> {
  return waitFor(`${name} pods on ${nodes.join(',')}`, async () => {
    const pods = await podsOf(name);
    if (ready && live(pods).some((p) => !isReady(p))) await makeReady();
    return JSON.stringify(nodesOf(pods)) === JSON.stringify(nodes) && pods.length === nodes.length && (!ready || pods.every(isReady)) && pods;
  }, 30_000, 100);
}

describe('a DaemonSet', () => {
  it('runs one pod per node, pinned by node affinity, with the daemon tolerations and revision hash', async () => {
    await cluster.client.create(gvr.daemonSets, daemonSet('agent'));
    const pods = await waitForPodsOn('agent', ['sim-1', 'sim-2', 'sim-3']);
    for (const pod of pods) {
      const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      expect(terms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec?.nodeName] }] }]);
      expect(pod.metadata?.labels?.['controller-revision-hash']).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });
      const tolerations = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}:${t.tolerationSeconds ?? '-'}`);
      expect(tolerations).toEqual(expect.arrayContaining([
        'node.kubernetes.io/not-ready:NoExecute:-', 'node.kubernetes.io/unreachable:NoExecute:-',
        'node.kubernetes.io/disk-pressure:NoSchedule:-', 'node.kubernetes.io/memory-pressure:NoSchedule:-',
        'node.kubernetes.io/pid-pressure:NoSchedule:-', 'node.kubernetes.io/unschedulable:NoSchedule:-',
      ]));
    }
    const ds = await waitFor('agent status', async () => {
      const d = await getDS('agent');
      return d.status?.numberAvailable === 3 && d.status?.observedGeneration === d.metadata?.generation && d;
    });
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3, numberMisscheduled: 0,
    });
    await cluster.cp.controllers?.flushEvents();
    const events = (await cluster.client.list<Event>(gvr.events, { namespace: 'default', fieldSelector: 'involvedObject.name=agent' })).items;
    expect(events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message)).toEqual(expect.arrayContaining(pods.map((p) => `Created pod: ${p.metadata?.name}`)));
  });

  it('gives a node that joins a pod, and takes it back when the node goes', async () => {
    const extra = new HollowFleet({ client: cluster.client, nodes: [{ name: 'extra-1' }], clock, readyDelayMs });
    await extra.start();
    try {
      await waitForPodsOn('agent', ['extra-1', 'sim-1', 'sim-2', 'sim-3']);
      await waitFor('desired 4', async () => (await getDS('agent')).status?.numberAvailable === 4);
    } finally {
      await extra.stop();
    }
    await cluster.client.delete(gvr.nodes, undefined, 'extra-1');
    await waitForPodsOn('agent', ['sim-1', 'sim-2', 'sim-3'], false);
    await waitFor('desired 3', async () => (await getDS('agent')).status?.desiredNumberScheduled === 3);
  });

  it('leaves out a node with a taint it does not tolerate, and runs on it when it does', async () => {
    const taint = { key: 'example.com/dedicated', value: 'db', effect: 'NoExecute' };
    await cluster.client.patch(gvr.nodes, undefined, 'sim-3', { spec: { taints: [taint] } }, 'merge');
    await waitForPodsOn('agent', ['sim-1', 'sim-2'], false);
    await waitFor('desired 2', async () => (await getDS('agent')).status?.desiredNumberScheduled === 2);

    await cluster.client.create(gvr.daemonSets, daemonSet('tolerant', { tolerations: [{ key: 'example.com/dedicated', operator: 'Exists' }] }));
    await waitForPodsOn('tolerant', ['sim-1', 'sim-2', 'sim-3']);

    await cluster.client.patch(gvr.nodes, undefined, 'sim-3', { spec: { taints: null } }, 'merge');
    await waitForPodsOn('agent', ['sim-1', 'sim-2', 'sim-3']);
    await cluster.client.delete(gvr.daemonSets, 'default', 'tolerant');

    // NoSchedule: no new pod would go there, but the running one stays, counted misscheduled.
    await cluster.client.patch(gvr.nodes, undefined, 'sim-1', { spec: { taints: [{ ...taint, effect: 'NoSchedule' }] } }, 'merge');
    const ds = await waitFor('misscheduled', async () => {
      const d = await getDS('agent');
      return d.status?.numberMisscheduled === 1 && d;
    });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2 });
    expect(nodesOf(await podsOf('agent'))).toEqual(['sim-1', 'sim-2', 'sim-3']);
    await cluster.client.patch(gvr.nodes, undefined, 'sim-1', { spec: { taints: null } }, 'merge');
    await waitFor('desired 3 again', async () => (await getDS('agent')).status?.desiredNumberScheduled === 3);
  });

  it('rolls an update out one node at a time, and kubectl rollout status follows it', async () => {
    const before = await podsOf('agent');
    const oldHash = before[0].metadata?.labels?.['controller-revision-hash'];
    await cluster.client.patch(gvr.daemonSets, 'default', 'agent', { spec: { template: { spec: { containers: [{ name: 'c', image: 'agent:v2' }] } } } }, 'strategic');
    const status = kubectl.start(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    const image = (p: Pod) => p.spec?.containers[0].image;
    for (let updated = 1; updated <= 3; updated++) {
      const pods = await waitFor(`${updated} updated`, async () => {
        const all = live(await podsOf('agent'));
        return all.filter((p) => image(p) === 'agent:v2').length === updated && all;
      });
      // One node at a time: the replaced pod is not ready yet, every other node still runs one.
      expect(pods.filter((p) => image(p) === 'agent:v1').length).toBe(3 - updated);
      expect(pods.filter((p) => image(p) === 'agent:v2' && !isReady(p)).length).toBeLessThanOrEqual(1);
      await waitFor('the new pod ready', async () => {
        await makeReady();
        return live(await podsOf('agent')).filter((p) => image(p) === 'agent:v2' && isReady(p)).length === updated;
      });
    }
    await status.waitFor(/daemon set "agent" successfully rolled out/, 30_000);
    const after = await waitForPodsOn('agent', ['sim-1', 'sim-2', 'sim-3']);
    expect(new Set(after.map((p) => p.metadata?.labels?.['controller-revision-hash'])).size).toBe(1);
    expect(after[0].metadata?.labels?.['controller-revision-hash']).not.toBe(oldHash);
    const final = (await getDS('agent')).status;
    expect(final).toMatchObject({ updatedNumberScheduled: 3, numberAvailable: 3 });
    expect(final?.numberUnavailable ?? 0).toBe(0);
    const out = await kubectl.ok(['rollout', 'status', 'ds/agent']);
    expect(out).toContain('daemon set "agent" successfully rolled out');
  });

  it('with maxSurge, starts the new pod beside the old one and keeps every node available', async () => {
    await cluster.client.create(gvr.daemonSets, daemonSet('surge', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await waitForPodsOn('surge', ['sim-1', 'sim-2', 'sim-3']);
    await cluster.client.patch(gvr.daemonSets, 'default', 'surge', { spec: { template: { spec: { containers: [{ name: 'c', image: 'agent:v2' }] } } } }, 'strategic');
    const image = (p: Pod) => p.spec?.containers[0].image;
    for (let updated = 1; updated <= 3; updated++) {
      const pods = await waitFor(`surge pod ${updated}`, async () => {
        const all = live(await podsOf('surge'));
        return all.filter((p) => image(p) === 'agent:v2').length === updated && all;
      });
      // The old pod on the surging node is still there and ready until the new one is.
      expect(pods.filter((p) => image(p) === 'agent:v1' && isReady(p)).length).toBe(3 - updated + 1);
      await waitFor('the surge pod replaces the old one', async () => {
        await makeReady();
        return live(await podsOf('surge')).filter((p) => image(p) === 'agent:v1').length === 3 - updated;
      });
    }
    await waitForPodsOn('surge', ['sim-1', 'sim-2', 'sim-3']);
    await cluster.client.delete(gvr.daemonSets, 'default', 'surge');
  });

  it('with OnDelete, replaces a pod only once it is deleted', async () => {
    await cluster.client.create(gvr.daemonSets, daemonSet('manual', { strategy: { type: 'OnDelete' } }));
    const pods = await waitForPodsOn('manual', ['sim-1', 'sim-2', 'sim-3']);
    await cluster.client.patch(gvr.daemonSets, 'default', 'manual', { spec: { template: { spec: { containers: [{ name: 'c', image: 'agent:v2' }] } } } }, 'strategic');
    await waitFor('observed', async () => {
      const d = await getDS('manual');
      return d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedNumberScheduled === 0;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await podsOf('manual')).map((p) => p.metadata?.name).sort()).toEqual(pods.map((p) => p.metadata?.name).sort());
    const victim = pods.find((p) => p.spec?.nodeName === 'sim-2')!;
    await cluster.client.delete(gvr.pods, 'default', victim.metadata!.name!);
    const replaced = await waitFor('a v2 pod on sim-2', async () => live(await podsOf('manual')).find((p) => p.spec?.nodeName === 'sim-2' && p.spec?.containers[0].image === 'agent:v2'));
    expect(replaced.metadata?.name).not.toBe(victim.metadata?.name);
    expect(live(await podsOf('manual')).filter((p) => p.spec?.containers[0].image === 'agent:v1')).toHaveLength(2);
  });
});
