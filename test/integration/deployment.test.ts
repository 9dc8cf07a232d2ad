// The Deployment controller against the real API, on hollow nodes and a fake clock, checked with
// real kubectl: a rolling update that never drops below the desired ready replicas, `kubectl
// rollout status | history | undo | pause | resume` (1.35, and 1.28 for undo), Recreate, scaling
// shared out proportionally mid-rollout, and a rollout that exceeds its progress deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { Informer } from '../../src-main/client/informer.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { isPodActive, isPodReady } from '../../src-main/controllers/pod-state.ts';
import { hollowAnnotations } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
const ns = 'default';
let cluster: TestCluster;
let kubectl: Kubectl;
let kubectl128: Kubectl;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 3 });
  kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
  kubectl128 = new Kubectl('1.28', cluster.kubeconfigPath);
});
afterAll(async () => {
  await kubectl?.cleanup();
  await kubectl128?.cleanup();
  await cluster?.stop();
});

interface Options {
  replicas?: number;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  readySeconds?: number;
}

function deployment(name: string, image: string, o: Options = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: o.replicas ?? 3,
      strategy: o.strategy,
      minReadySeconds: o.minReadySeconds,
      progressDeadlineSeconds: o.progressDeadlineSeconds,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: { [hollowAnnotations.readySeconds]: String(o.readySeconds ?? 0) } },
        spec: { containers: [{ name: 'c', image }] },
      },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Moves the fake clock a second at a time until check passes: time only moves when we say. */
async function driveUntil<T>(what: string, check: () => Promise<T | false | undefined>, maxSeconds = 300): Promise<T> {
  for (let s = 0; ; s++) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (s >= maxSeconds) throw new Error(`${what}: not reached after ${maxSeconds} s of fake time`);
    await clock.advance(1000);
    await sleep(40);
  }
}

const getDeployment = (name: string) => cluster.client.get<Deployment>(gvr.deployments, ns, name);

async function replicaSetsOf(name: string): Promise<ReplicaSet[]> {
  const list = await cluster.client.list<ReplicaSet>(gvr.replicaSets, { namespace: ns, labelSelector: `app=${name}` });
  return list.items.sort((a, b) => Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision']));
}

async function activePods(name: string): Promise<Pod[]> {
  const list = await cluster.client.list<Pod>(gvr.pods, { namespace: ns, labelSelector: `app=${name}` });
  return list.items.filter(isPodActive);
}

/** Rolled out: every replica updated and available, this generation observed. */
async function complete(name: string): Promise<Deployment | false> {
  const d = await getDeployment(name);
  const s = d.status;
  const n = d.spec?.replicas ?? 1;
  return (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s?.updatedReplicas === n && s.replicas === n && s.availableReplicas === n && d;
}

/** Follows the Deployment's pods and remembers the fewest ready ones seen (terminating ones do not count). */
async function watchReadyPods(name: string): Promise<{ min: () => number; stop: () => void }> {
  const inf = new Informer<Pod>(cluster.client, gvr.pods, { labelSelector: `app=${name}` });
  let min = Infinity;
  let synced = false;
  const count = () => {
    if (!synced) return; // the first list arrives one add at a time
    const ready = inf.list().filter((p) => isPodActive(p) && isPodReady(p)).length;
    min = Math.min(min, ready);
  };
  inf.on('add', count).on('update', count).on('delete', count);
  await inf.start();
  synced = true;
  count();
  return { min: () => min, stop: () => inf.stop() };
}

describe('Deployment controller', () => {
  const rolling = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } as const;

  it('rolls v1 out: a ReplicaSet per pod-template-hash, with revision and replicas annotations', async () => {
    await cluster.client.create(gvr.deployments, deployment('web', 'busybox:v1', { strategy: rolling, minReadySeconds: 5, readySeconds: 2 }));
    const d = await driveUntil('web rolled out', () => complete('web'));
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const [rs] = await replicaSetsOf('web');
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.spec?.selector?.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.spec?.minReadySeconds).toBe(5);
    for (const p of await activePods('web')) expect(p.metadata?.labels?.['pod-template-hash']).toBe(hash);
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(d.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "web-${hash}" has successfully progressed.` });
  });

  it('rolls out v2 with maxUnavailable=0 without ever dropping below 3 ready pods; kubectl rollout status follows it', async () => {
    const ready = await watchReadyPods('web');
    await cluster.client.patch(gvr.deployments, ns, 'web', {
      metadata: { annotations: { 'kubernetes.io/change-cause': 'image v2' } },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:v2' }] } } },
    }, 'strategic');
    const status = kubectl.run(['rollout', 'status', 'deployment/web'], { timeoutMs: 60_000 });
    let result: Awaited<typeof status> | undefined;
    void status.then((r) => { result = r; });
    await driveUntil('kubectl rollout status to finish', async () => result);
    ready.stop();
    expect(result!.stderr).toBe('');
    expect(result!.code).toBe(0);
    expect(result!.stdout).toContain('Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n');
    expect(result!.stdout).toContain('Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n');
    expect(result!.stdout.endsWith('deployment "web" successfully rolled out\n')).toBe(true);
    expect(ready.min()).toBeGreaterThanOrEqual(3);
    const [v1, v2] = await replicaSetsOf('web');
    expect(v1.spec?.replicas).toBe(0);
    expect(v2.spec?.replicas).toBe(3);
    expect(v2.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('image v2');
    const pods = await activePods('web');
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual(['busybox:v2', 'busybox:v2', 'busybox:v2']);
    expect((await getDeployment('web')).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('kubectl rollout history lists the revisions', async () => {
    const out = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    expect(out).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+image v2\n/);
    const one = await kubectl.ok(['rollout', 'history', 'deployment/web', '--revision=1']);
    expect(one).toMatch(/Image:\s+busybox:v1/);
  });

  it('kubectl 1.28 rollout undo brings the v1 template back as revision 3', async () => {
    const [v1] = await replicaSetsOf('web');
    const hash1 = v1.metadata?.labels?.['pod-template-hash'];
    const ready = await watchReadyPods('web');
    expect(await kubectl128.ok(['rollout', 'undo', 'deployment/web'])).toContain('deployment.apps/web rolled back');
    const status = kubectl128.run(['rollout', 'status', 'deployment/web'], { timeoutMs: 60_000 });
    let result: Awaited<typeof status> | undefined;
    void status.then((r) => { result = r; });
    await driveUntil('kubectl 1.28 rollout status to finish', async () => result);
    ready.stop();
    expect(result!.code).toBe(0);
    expect(result!.stdout.endsWith('deployment "web" successfully rolled out\n')).toBe(true);
    expect(ready.min()).toBeGreaterThanOrEqual(3);
    const pods = await activePods('web');
    expect(pods.map((p) => p.metadata?.labels?.['pod-template-hash'])).toEqual([hash1, hash1, hash1]);
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual(['busybox:v1', 'busybox:v1', 'busybox:v1']);
    const rss = await replicaSetsOf('web');
    expect(rss.length).toBe(2);
    const reused = rss.find((rs) => rs.metadata?.labels?.['pod-template-hash'] === hash1)!;
    expect(reused.metadata?.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+image v2\n3\s+<none>\n/);
  });

  it('pause holds the rollout while scaling still applies; resume carries it out', async () => {
    await kubectl.ok(['rollout', 'pause', 'deployment/web']);
    await waitFor('the DeploymentPaused condition', async () => {
      const d = await getDeployment('web');
      const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' && c.status === 'Unknown' && c.message === 'Deployment is paused';
    });
    await kubectl.ok(['set', 'image', 'deployment/web', 'c=busybox:v3']);
    await kubectl.ok(['scale', 'deployment/web', '--replicas=4']);
    await driveUntil('4 replicas of the current revision', async () => {
      const d = await getDeployment('web');
      const s = d.status;
      return (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s?.replicas === 4 && s.availableReplicas === 4 && s.updatedReplicas === 0;
    }, 30);
    expect((await replicaSetsOf('web')).length).toBe(2); // no ReplicaSet for v3 while paused
    expect((await activePods('web')).every((p) => p.spec?.containers[0].image === 'busybox:v1')).toBe(true);
    const held = await kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=1s']);
    expect(held.code).not.toBe(0);
    expect(held.stdout).toContain('Waiting for deployment "web" rollout to finish: 0 out of 4 new replicas have been updated...');
    await kubectl.ok(['rollout', 'resume', 'deployment/web']);
    await driveUntil('v3 rolled out', async () => {
      const d = await complete('web');
      const pods = await activePods('web');
      return d && pods.length === 4 && pods.every((p) => p.spec?.containers[0].image === 'busybox:v3');
    });
    expect((await getDeployment('web')).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('4');
  });

  it('kubectl describe deployment shows the ScalingReplicaSet events', async () => {
    await cluster.cp.controllers!.flushEvents();
    const out = await kubectl.ok(['describe', 'deployment', 'web']);
    expect(out).toMatch(/StrategyType:\s+RollingUpdate/);
    expect(out).toMatch(/RollingUpdateStrategy:\s+0 max unavailable, 1 max surge/);
    expect(out).toMatch(/NewReplicaSet:\s+web-\w+ \(4\/4 replicas created\)/);
    expect(out).toMatch(/ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set web-\w+ from 0 to 3/);
    expect(out).toMatch(/ScalingReplicaSet\s+.*deployment-controller\s+Scaled down replica set web-\w+ from \d to \d/);
  });

  it('Recreate scales the old ReplicaSet to 0 and waits for its pods before creating the new one', async () => {
    await cluster.client.create(gvr.deployments, deployment('rec', 'busybox:v1', { strategy: { type: 'Recreate' } }));
    await driveUntil('rec rolled out', () => complete('rec'));
    const inf = new Informer<Pod>(cluster.client, gvr.pods, { labelSelector: 'app=rec' });
    let overlap = false;
    const check = () => {
      const images = new Set(inf.list().map((p) => p.spec?.containers[0].image));
      if (images.has('busybox:v1') && images.has('busybox:v2')) overlap = true;
    };
    inf.on('add', check).on('update', check);
    await inf.start();
    await cluster.client.patch(gvr.deployments, ns, 'rec', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:v2' }] } } } }, 'strategic');
    await driveUntil('rec v2 rolled out', async () => {
      const d = await complete('rec');
      const pods = await activePods('rec');
      return d && pods.length === 3 && pods.every((p) => p.spec?.containers[0].image === 'busybox:v2');
    });
    inf.stop();
    expect(overlap).toBe(false);
    await cluster.cp.controllers!.flushEvents();
    const [old, cur] = await replicaSetsOf('rec');
    const out = await kubectl.ok(['describe', 'deployment', 'rec']);
    const downMessage = `Scaled down replica set ${old.metadata?.name} from 3 to 0`;
    const upMessage = `Scaled up replica set ${cur.metadata?.name} from 0 to 3`;
    expect(out).toContain(downMessage);
    expect(out).toContain(upMessage);
    // Events of the same second may be listed in either order; their times must not be.
    const events = (await cluster.client.list<Event>(gvr.events, { namespace: ns })).items;
    const at = (message: string) => Date.parse(events.find((e) => e.message === message)!.lastTimestamp!);
    expect(at(upMessage)).toBeGreaterThanOrEqual(at(downMessage));
  });

  it('keeps revisionHistoryLimit old ReplicaSets and deletes the older scaled-down ones', async () => {
    const d = deployment('hist', 'busybox:v1', { replicas: 1 });
    d.spec!.revisionHistoryLimit = 1;
    await cluster.client.create(gvr.deployments, d);
    for (const image of ['busybox:v2', 'busybox:v3']) {
      await driveUntil('hist rolled out', () => complete('hist'));
      await cluster.client.patch(gvr.deployments, ns, 'hist', { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }, 'strategic');
    }
    await driveUntil('v3 rolled out and v1 cleaned up', async () => {
      const rss = await replicaSetsOf('hist');
      return (await complete('hist')) && rss.length === 2 && rss;
    }).then((rss) => {
      expect(rss.map((rs) => rs.spec?.template?.spec?.containers[0].image)).toEqual(['busybox:v2', 'busybox:v3']);
      expect(rss.map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'])).toEqual(['2', '3']);
    });
  });

  it('adopts an orphan ReplicaSet with its template instead of creating one', async () => {
    const d = deployment('legacy', 'busybox:v1', { replicas: 2 });
    const template = { ...d.spec!.template, metadata: { ...d.spec!.template.metadata, labels: { app: 'legacy', 'pod-template-hash': 'manual' } } };
    await cluster.client.create<ReplicaSet>(gvr.replicaSets, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'legacy-manual', namespace: ns, labels: { app: 'legacy', 'pod-template-hash': 'manual' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'legacy', 'pod-template-hash': 'manual' } }, template },
    });
    await driveUntil('legacy-manual ready', async () => (await cluster.client.get<ReplicaSet>(gvr.replicaSets, ns, 'legacy-manual')).status?.readyReplicas === 2);
    const created = await cluster.client.create<Deployment>(gvr.deployments, d);
    const done = await driveUntil('legacy rolled out', () => complete('legacy'));
    const rss = await replicaSetsOf('legacy');
    expect(rss.map((rs) => rs.metadata?.name)).toEqual(['legacy-manual']);
    expect(rss[0].metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'legacy', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rss[0].metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(done.status?.updatedReplicas).toBe(2);
  });

  it('still honours the pre-apps/v1 rollback request annotation', async () => {
    await cluster.client.patch(gvr.deployments, ns, 'legacy', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:v2' }] } } } }, 'strategic');
    await driveUntil('legacy v2', async () => (await complete('legacy')) && (await activePods('legacy')).every((p) => p.spec?.containers[0].image === 'busybox:v2'));
    await cluster.client.patch(gvr.deployments, ns, 'legacy', { metadata: { annotations: { 'deprecated.deployment.rollback.to': '0' } } }, 'merge');
    const d = await driveUntil('legacy back on v1', async () => {
      const cur = await complete('legacy');
      const pods = await activePods('legacy');
      return cur && pods.length === 2 && pods.every((p) => p.spec?.containers[0].image === 'busybox:v1') && cur;
    });
    expect(d.metadata?.annotations?.['deprecated.deployment.rollback.to']).toBeUndefined();
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    await cluster.cp.controllers!.flushEvents();
    expect(await kubectl.ok(['describe', 'deployment', 'legacy'])).toMatch(/DeploymentRollback\s+.*Rolled back deployment "legacy" to revision 1/);
  });

  it('shares a scale-up out proportionally mid-rollout, then reports ProgressDeadlineExceeded', async () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } as const;
    await cluster.client.create(gvr.deployments, deployment('stuck', 'busybox:v1', { replicas: 10, strategy, progressDeadlineSeconds: 60 }));
    await driveUntil('stuck v1 rolled out', () => complete('stuck'));
    // v2 pods never become ready: the rollout stops at 8 old + 5 new (13 = 10 + maxSurge)
    await cluster.client.patch(gvr.deployments, ns, 'stuck', {
      spec: { template: { metadata: { annotations: { [hollowAnnotations.readySeconds]: '100000' } }, spec: { containers: [{ name: 'c', image: 'busybox:v2' }] } } },
    }, 'strategic');
    const sizes = async () => (await replicaSetsOf('stuck')).map((rs) => rs.spec?.replicas).join(',');
    await waitFor('8 old + 5 new', async () => (await sizes()) === '8,5');
    await cluster.client.patch(gvr.deployments, ns, 'stuck', { spec: { replicas: 20 } }, 'merge');
    // 23 allowed (20 + 3): +10, split 8:5 → +6 and +4
    await waitFor('14 old + 9 new', async () => (await sizes()) === '14,9');
    const [, v2] = await replicaSetsOf('stuck');
    await driveUntil('the progress deadline', async () => {
      const c = (await getDeployment('stuck')).status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'ProgressDeadlineExceeded' && c;
    }, 120).then((c) => {
      expect(c).toMatchObject({ status: 'False', message: `ReplicaSet "${v2.metadata?.name}" has timed out progressing.` });
    });
    const r = await kubectl.run(['rollout', 'status', 'deployment/stuck']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    const d = await getDeployment('stuck');
    // 14 available < 20 - maxUnavailable
    expect(d.status?.conditions?.find((x) => x.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(d.status).toMatchObject({ replicas: 23, updatedReplicas: 9, availableReplicas: 14, unavailableReplicas: 9 });
  });
});
