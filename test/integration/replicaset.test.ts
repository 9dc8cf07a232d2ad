// The ReplicaSet controller against the real API, on hollow nodes and a fake clock: scaling up and
// down, replacing a deleted pod, adopting an orphan and releasing a relabelled pod, which surplus
// pods go first, availability after minReadySeconds, and the events `kubectl describe` shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { controllerRefOf } from '../../src-main/controllers/controller-ref.ts';
import { isPodActive } from '../../src-main/controllers/pod-state.ts';
import { podDeletionCostAnnotation } from '../../src-main/controllers/replicaset/pod-order.ts';
import { hollowAnnotations } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
const ns = 'default';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

function replicaSet(name: string, replicas: number, extra: { minReadySeconds?: number; annotations?: Record<string, string> } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      minReadySeconds: extra.minReadySeconds,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: 'web' }, annotations: extra.annotations },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
}

async function podsOf(app: string): Promise<Pod[]> {
  const list = await cluster.client.list<Pod>(gvr.pods, { namespace: ns, labelSelector: `app=${app}` });
  return list.items.filter(isPodActive);
}

async function getRS(name: string): Promise<ReplicaSet> {
  return cluster.client.get<ReplicaSet>(gvr.replicaSets, ns, name);
}

/** Waits until the ReplicaSet has n active pods and its status says n ready, for this generation. */
async function settled(name: string, n: number): Promise<Pod[]> {
  return waitFor(`${name} at ${n} ready replicas`, async () => {
    const [rs, pods] = await Promise.all([getRS(name), podsOf(name)]);
    const s = rs.status;
    const ok = pods.length === n && s?.replicas === n && (s.readyReplicas ?? 0) === n
      && (s.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0);
    return ok && pods;
  }, 30_000);
}

async function scale(name: string, replicas: number): Promise<void> {
  await cluster.client.patch(gvr.replicaSets, ns, name, { spec: { replicas } }, 'merge');
}

async function eventsFor(name: string): Promise<Event[]> {
  await cluster.cp.controllers!.flushEvents();
  const list = await cluster.client.list<Event>(gvr.events, { namespace: ns });
  return list.items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'ReplicaSet');
}

describe('ReplicaSet controller', () => {
  it('creates the pods of its template, owned by it, and reports them in status', async () => {
    await cluster.client.create(gvr.replicaSets, replicaSet('web', 3));
    const pods = await settled('web', 3);
    const rs = await getRS('web');
    for (const p of pods) {
      expect(p.metadata?.generateName).toBe('web-');
      expect(p.metadata?.labels).toMatchObject({ app: 'web', tier: 'web' });
      expect(controllerRefOf(p)).toMatchObject({ kind: 'ReplicaSet', name: 'web', uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true });
    }
    expect(rs.status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const created = (await eventsFor('web')).filter((e) => e.reason === 'SuccessfulCreate');
    expect(created.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata?.name}`).sort());
  });

  it('scales up and down', async () => {
    await scale('web', 5);
    await settled('web', 5);
    const before = new Set((await podsOf('web')).map((p) => p.metadata?.name));
    await scale('web', 2);
    const after = await settled('web', 2);
    for (const p of after) expect(before.has(p.metadata?.name)).toBe(true);
    const deleted = (await eventsFor('web')).filter((e) => e.reason === 'SuccessfulDelete');
    expect(deleted.length).toBe(3);
    expect(deleted[0].message).toMatch(/^Deleted pod: web-[a-z0-9]{5}$/);
    expect((await getRS('web')).status?.observedGeneration).toBe(3);
  });

  it('replaces a deleted pod', async () => {
    const [victim] = await podsOf('web');
    await cluster.client.delete(gvr.pods, ns, victim.metadata!.name!);
    const pods = await waitFor('a replacement', async () => {
      const now = await settled('web', 2);
      return !now.some((p) => p.metadata?.name === victim.metadata?.name) && now;
    });
    expect(pods.length).toBe(2);
  });

  it('adopts a matching orphan instead of creating a pod', async () => {
    await cluster.client.create(gvr.pods, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'stray', namespace: ns, labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await cluster.client.create(gvr.replicaSets, replicaSet('adopt', 2));
    const pods = await settled('adopt', 2);
    expect(pods.map((p) => p.metadata?.name)).toContain('stray');
    const rs = await getRS('adopt');
    const stray = await cluster.client.get<Pod>(gvr.pods, ns, 'stray');
    expect(controllerRefOf(stray)).toMatchObject({ kind: 'ReplicaSet', name: 'adopt', uid: rs.metadata?.uid });
    // only the missing one was created; the orphan lacks the template's tier label
    expect(rs.status?.fullyLabeledReplicas).toBe(1);
    expect((await eventsFor('adopt')).filter((e) => e.reason === 'SuccessfulCreate').length).toBe(1);
  });

  it('releases a pod relabelled out of its selector and replaces it', async () => {
    const [pod] = await podsOf('adopt');
    const name = pod.metadata!.name!;
    await cluster.client.patch(gvr.pods, ns, name, { metadata: { labels: { app: 'elsewhere' } } }, 'merge');
    await waitFor('the pod released', async () => {
      const p = await cluster.client.get<Pod>(gvr.pods, ns, name);
      return !controllerRefOf(p);
    });
    const pods = await settled('adopt', 2);
    expect(pods.map((p) => p.metadata?.name)).not.toContain(name);
    // the released pod keeps running, on its own
    expect((await cluster.client.get<Pod>(gvr.pods, ns, name)).metadata?.deletionTimestamp).toBeUndefined();
  });

  it('deletes surplus pods least valuable first: not ready, then by deletion cost, then newest', async () => {
    await cluster.client.create(gvr.replicaSets, replicaSet('order', 3));
    const first = await settled('order', 3);
    // two more, created later: one that never becomes ready, one that does
    await clock.advance(60_000);
    await cluster.client.patch(gvr.replicaSets, ns, 'order', {
      spec: { replicas: 5, template: { metadata: { annotations: { [hollowAnnotations.readySeconds]: '100000' } } } },
    }, 'merge');
    const notReady = await waitFor('two pods that are not ready', async () => {
      const pods = await podsOf('order');
      const waiting = pods.filter((p) => p.status?.phase === 'Running' && !p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return pods.length === 5 && waiting.length === 2 && waiting;
    });
    await scale('order', 3);
    const left = await waitFor('back to 3', async () => {
      const pods = await podsOf('order');
      return pods.length === 3 && pods;
    });
    expect(left.map((p) => p.metadata?.name).sort()).toEqual(first.map((p) => p.metadata?.name).sort());
    expect(left.some((p) => notReady.some((n) => n.metadata?.name === p.metadata?.name))).toBe(false);
    // among the ready ones the lowest pod-deletion-cost goes first, whatever its age
    const [a, b, c] = left;
    await cluster.client.patch(gvr.pods, ns, a.metadata!.name!, { metadata: { annotations: { [podDeletionCostAnnotation]: '100' } } }, 'merge');
    await cluster.client.patch(gvr.pods, ns, b.metadata!.name!, { metadata: { annotations: { [podDeletionCostAnnotation]: '-5' } } }, 'merge');
    await new Promise((r) => setTimeout(r, 300)); // let the informers see the costs
    await scale('order', 2);
    const two = await waitFor('down to 2', async () => {
      const pods = await podsOf('order');
      return pods.length === 2 && pods;
    });
    expect(two.map((p) => p.metadata?.name).sort()).toEqual([a.metadata?.name, c.metadata?.name].sort());
    await scale('order', 1);
    const one = await waitFor('down to 1', async () => {
      const pods = await podsOf('order');
      return pods.length === 1 && pods;
    });
    expect(one[0].metadata?.name).toBe(a.metadata?.name);
  });

  it('counts pods available only after minReadySeconds, on the clock', async () => {
    await cluster.client.create(gvr.replicaSets, replicaSet('slow', 2, { minReadySeconds: 30 }));
    await settled('slow', 2);
    expect((await getRS('slow')).status?.availableReplicas ?? 0).toBe(0);
    await clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await getRS('slow')).status?.availableReplicas ?? 0).toBe(0);
    await clock.advance(1_000);
    await waitFor('both available', async () => (await getRS('slow')).status?.availableReplicas === 2);
  });

  it('shows its events in kubectl describe', async () => {
    const kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
    try {
      await cluster.cp.controllers!.flushEvents();
      const out = await kubectl.ok(['describe', 'replicaset', 'web']);
      expect(out).toMatch(/Replicas:\s+2 current \/ 2 desired/);
      expect(out).toMatch(/SuccessfulCreate\s+.*replicaset-controller\s+Created pod: web-/);
      expect(out).toMatch(/SuccessfulDelete\s+.*replicaset-controller\s+Deleted pod: web-/);
    } finally {
      await kubectl.cleanup();
    }
  });
});
