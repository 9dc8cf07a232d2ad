// The DaemonSet controller through the real API, the scheduler and hollow nodes (a fake clock
// makes pods Ready only when the test says so): one pod per node, pinned by node affinity and
// bound by the scheduler; a node that joins gets one, a tainted node is left out unless
// tolerated; a rolling update replaces pods one node at a time and `kubectl rollout status`
// follows it to the end; OnDelete waits for pods to be deleted. Each template is kept as a
// ControllerRevision, which `kubectl rollout history` lists and `rollout undo` restores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1';
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

interface DaemonSetOptions {
  image?: string;
  tolerations?: Toleration[];
  strategy?: DaemonSetUpdateStrategy;
  revisionHistoryLimit?: DaemonSetSpec['revisionHistoryLimit'];
}

function daemonSet(name: string, opts: DaemonSetOptions = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      ...(opts.strategy ? { updateStrategy: opts.strategy } : {}),
      ...(opts.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: opts.revisionHistoryLimit } : {}),
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
const image = (p: Pod) => p.spec?.containers[0].image;
const setImage = (name: string, to: string) =>
  cluster.client.patch(gvr.daemonSets, 'default', name, { spec: { template: { spec: { containers: [{ name: 'c', image: to }] } } } }, 'strategic');

/** Advances the fake clock past the hollow nodes' ready delay. */
const makeReady = () => clock.advance(readyDelayMs + 1000);

/**
 * Makes one pod Ready, and moves the clock no further than that: the next pod of a rollout,
 * which starts only once this one is ready, cannot be ready yet, so the test sees every step.
 * (Moving the clock on every poll instead lets a fast controller run two steps between polls.)
 */
async function makePodReady(name: string): Promise<void> {
  const get = () => cluster.client.get<Pod>(gvr.pods, 'default', name).catch(() => undefined);
  const running = await waitFor(`${name} running`, async () => {
    const p = await get();
    return !p || p.metadata?.deletionTimestamp ? 'gone' : p.status?.phase === 'Running' && p.status.startTime ? p : false;
  }, 30_000, 20);
  if (running === 'gone') return;
  // startTime has whole seconds: the pod is ready at most a second after start + delay.
  const readyAt = Date.parse(running.status!.startTime!) + readyDelayMs + 1000;
  if (clock.now() < readyAt) await clock.advance(readyAt - clock.now());
  await waitFor(`${name} ready`, async () => {
    const p = await get();
    return !p || isReady(p);
  }, 30_000, 20);
}

/** Drives a rollout to its end: each new pod made ready in turn, until all run `to`, ready. */
async function completeRollout(name: string, to: string, nodes = ['sim-1', 'sim-2', 'sim-3']): Promise<Pod[]> {
  return waitFor(`${name} rolled out to ${to}`, async () => {
    const pods = live(await podsOf(name));
    const starting = pods.find((p) => image(p) === to && !isReady(p));
    if (starting) {
      await makePodReady(starting.metadata!.name!);
      return false;
    }
    return JSON.stringify(nodesOf(pods)) === JSON.stringify(nodes) && pods.every((p) => image(p) === to && isReady(p)) && pods;
  }, 30_000);
}

async function revisionsOf(name: string): Promise<ControllerRevision[]> {
  const all = (await cluster.client.list<ControllerRevision>(gvr.controllerRevisions, { namespace: 'default', labelSelector: `app=${name}` })).items;
  return all.sort((a, b) => a.revision - b.revision);
}

const revisionImage = (r: ControllerRevision) =>
  (r.data as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0].image;

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
    await setImage('agent', 'agent:v2');
    const status = kubectl.start(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    for (let updated = 1; updated <= 3; updated++) {
      const pods = await waitFor(`${updated} updated`, async () => {
        const all = live(await podsOf('agent'));
        return all.filter((p) => image(p) === 'agent:v2').length === updated && all;
      });
      // One node at a time: the replaced pod is not ready yet, every other node still runs one.
      expect(pods.filter((p) => image(p) === 'agent:v1').length).toBe(3 - updated);
      const starting = pods.filter((p) => image(p) === 'agent:v2' && !isReady(p));
      expect(starting.length).toBeLessThanOrEqual(1);
      if (starting[0]) await makePodReady(starting[0].metadata!.name!);
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

  it('keeps a ControllerRevision per template, which kubectl rollout history lists and rollout undo restores', async () => {
    const [first, second] = await waitFor('two revisions', async () => {
      const revs = await revisionsOf('agent');
      return revs.length === 2 && revs;
    });
    const ds = await getDS('agent');
    const hashOf = (o: { metadata?: { labels?: Record<string, string> } }) => o.metadata?.labels?.['controller-revision-hash'];
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect([revisionImage(first), revisionImage(second)]).toEqual(['agent:v1', 'agent:v2']);
    for (const r of [first, second]) {
      expect(r.metadata?.name).toBe(`agent-${hashOf(r)}`);
      expect(r.metadata?.labels?.app).toBe('agent');
      expect(r.metadata?.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata?.uid, controller: true })]);
      expect((r.data as { spec: { template: { $patch?: string } } }).spec.template.$patch).toBe('replace');
    }
    const v2Pods = live(await podsOf('agent'));
    expect(new Set(v2Pods.map(hashOf))).toEqual(new Set([hashOf(second)]));

    const table = await kubectl.ok(['get', 'controllerrevisions', '-l', 'app=agent']);
    const lines = table.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3)).sort()).toEqual([
      [first.metadata?.name, 'daemonset.apps/agent', '1'], [second.metadata?.name, 'daemonset.apps/agent', '2'],
    ].sort());

    const history = await kubectl.ok(['rollout', 'history', 'ds/agent']);
    expect(history).toContain('daemonset.apps/agent');
    expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE$/m);
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+<none>$/m);
    expect(await kubectl.ok(['rollout', 'history', 'ds/agent', '--revision=1'])).toMatch(/Image:\s+agent:v1/);

    expect(await kubectl.ok(['rollout', 'undo', 'ds/agent'])).toContain('daemonset.apps/agent rolled back');
    expect((await getDS('agent')).spec?.template.spec?.containers[0].image).toBe('agent:v1');
    const back = await completeRollout('agent', 'agent:v1');
    // The old template's revision is current again: the pods carry its hash, and it is renumbered.
    expect(new Set(back.map(hashOf))).toEqual(new Set([hashOf(first)]));
    const after = await waitFor('revision 1 renumbered', async () => {
      const revs = await revisionsOf('agent');
      return revs.length === 2 && revs[1].revision === 3 && revs;
    });
    expect(after.map((r) => [r.metadata?.name, r.revision])).toEqual([[second.metadata?.name, 2], [first.metadata?.name, 3]]);
    const again = await kubectl.ok(['rollout', 'history', 'ds/agent']);
    expect(again).toMatch(/^2\s+<none>$/m);
    expect(again).toMatch(/^3\s+<none>$/m);
    expect(again).not.toMatch(/^1\s/m);
    await waitFor('rolled back status', async () => {
      const d = await getDS('agent');
      return d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedNumberScheduled === 3 && d.status.numberAvailable === 3;
    });
  });

  it('with maxSurge, starts the new pod beside the old one and keeps every node available', async () => {
    await cluster.client.create(gvr.daemonSets, daemonSet('surge', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await waitForPodsOn('surge', ['sim-1', 'sim-2', 'sim-3']);
    await setImage('surge', 'agent:v2');
    for (let updated = 1; updated <= 3; updated++) {
      const pods = await waitFor(`surge pod ${updated}`, async () => {
        const all = live(await podsOf('surge'));
        return all.filter((p) => image(p) === 'agent:v2').length === updated && all;
      });
      // The old pod on the surging node is still there and ready until the new one is.
      expect(pods.filter((p) => image(p) === 'agent:v1' && isReady(p)).length).toBe(3 - updated + 1);
      const surging = pods.filter((p) => image(p) === 'agent:v2' && !isReady(p));
      expect(surging).toHaveLength(1);
      // (the new pod may not be bound yet: its node affinity names where it goes)
      const target = (p: Pod) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0].matchFields?.[0].values?.[0];
      expect(pods.filter((p) => target(p) === target(surging[0])).map(image).sort()).toEqual(['agent:v1', 'agent:v2']);
      await makePodReady(surging[0].metadata!.name!);
      await waitFor('the surge pod replaces the old one', async () =>
        live(await podsOf('surge')).filter((p) => image(p) === 'agent:v1').length === 3 - updated);
    }
    await waitForPodsOn('surge', ['sim-1', 'sim-2', 'sim-3']);
    await cluster.client.delete(gvr.daemonSets, 'default', 'surge');
  });

  it('with OnDelete, replaces a pod only once it is deleted', async () => {
    await cluster.client.create(gvr.daemonSets, daemonSet('manual', { strategy: { type: 'OnDelete' } }));
    const pods = await waitForPodsOn('manual', ['sim-1', 'sim-2', 'sim-3']);
    await setImage('manual', 'agent:v2');
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

  it('keeps revisionHistoryLimit old revisions, but never one a pod still runs', async () => {
    await cluster.client.create(gvr.daemonSets, daemonSet('limited', { strategy: { type: 'OnDelete' }, revisionHistoryLimit: 0 }));
    const v1Pods = await waitForPodsOn('limited', ['sim-1', 'sim-2', 'sim-3']);
    await setImage('limited', 'agent:v2');
    await waitFor('revision 2', async () => (await revisionsOf('limited')).length === 2);
    await setImage('limited', 'agent:v3');
    // Revision 2 ran no pod and goes; revision 1 stays while the OnDelete pods still run it.
    const kept = await waitFor('revision 2 cleaned up', async () => {
      const revs = await revisionsOf('limited');
      return JSON.stringify(revs.map((r) => r.revision)) === '[1,3]' && revs;
    });
    expect(kept.map(revisionImage)).toEqual(['agent:v1', 'agent:v3']);
    for (const p of v1Pods) await cluster.client.delete(gvr.pods, 'default', p.metadata!.name!);
    await waitFor('v3 pods', async () => {
      const pods = live(await podsOf('limited'));
      return pods.length === 3 && pods.every((p) => image(p) === 'agent:v3');
    });
    const last = await waitFor('only the current revision', async () => {
      const revs = await revisionsOf('limited');
      return revs.length === 1 && revs;
    });
    expect([last[0].revision, revisionImage(last[0])]).toEqual([3, 'agent:v3']);
    await cluster.client.delete(gvr.daemonSets, 'default', 'limited');
  });

  it('adopts an orphaned revision its selector matches, and numbers its own after it', async () => {
    const template = { metadata: { labels: { app: 'adopter' } }, spec: { containers: [{ name: 'c', image: 'agent:v0' }] } };
    await cluster.client.create<ControllerRevision>(gvr.controllerRevisions, {
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: { name: 'adopter-old', namespace: 'default', labels: { app: 'adopter' } },
      data: { spec: { template: { ...template, $patch: 'replace' } } },
      revision: 5,
    });
    await cluster.client.create(gvr.daemonSets, daemonSet('adopter', { strategy: { type: 'OnDelete' } }));
    const ds = await getDS('adopter');
    const revs = await waitFor('adopted', async () => {
      const all = await revisionsOf('adopter');
      return all.length === 2 && all.every((r) => r.metadata?.ownerReferences?.[0]?.uid === ds.metadata?.uid) && all;
    });
    // Adopted, and given its own name as its hash since it had none.
    expect(revs.map((r) => [r.metadata?.name, r.revision])).toEqual([['adopter-old', 5], [expect.stringMatching(/^adopter-/), 6]]);
    expect(revs[0].metadata?.labels?.['controller-revision-hash']).toBe('adopter-old');
    expect(revs[0].metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'adopter', controller: true });
    expect(await kubectl.ok(['rollout', 'history', 'ds/adopter'])).toMatch(/^5\s+<none>\n6\s+<none>$/m);
    // The revisions belong to the DaemonSet: the garbage collector removes them with it.
    await cluster.client.delete(gvr.daemonSets, 'default', 'adopter');
    await waitFor('revisions collected', async () => (await revisionsOf('adopter')).length === 0);
  });
});
