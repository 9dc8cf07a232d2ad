// The HorizontalPodAutoscaler controller against the real API, hollow nodes' fake cpu usage and
// a fake clock: scaling a ReplicaSet 2→6 under load and back to 2 only after the scale-down
// stabilisation window, behavior policies, and the conditions and events upstream reports.
// Only the HPA controller runs (its own controller manager): a small loop in the test plays the
// ReplicaSet controller, creating and deleting bound pods to follow spec.replicas, so the test
// does not depend on the other controllers.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { KubeClient } from '../../src-main/client/kube-client.ts';
import { gvr } from '../../src-main/client/resources.ts';
import { ControllerManager } from '../../src-main/controllers/manager.ts';
import { HorizontalPodAutoscalerController } from '../../src-main/controllers/horizontal-pod-autoscaler.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
const syncMs = 15_000;
let cluster: TestCluster;
let hpaClient: KubeClient;
let manager: ControllerManager;
let inflight = 0;
/** cpu usage (millicores) of each pod, by its app label; 100m is requested. */
const cpu: Record<string, number> = {};
const followers: ReplicaFollower[] = [];

/** Plays the ReplicaSet controller for one ReplicaSet: bound pods follow spec.replicas. */
class ReplicaFollower {
  private stopped = false;
  private serial = 0;
  private readonly done: Promise<void>;
  /** When the last poll that found the pods in step with spec.replicas started (0: not in step). */
  syncedAt = 0;

  constructor(readonly namespace: string, readonly name: string) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const c = cluster.client;
    while (!this.stopped) {
      const started = Date.now();
      try {
        const rs = await c.get<ReplicaSet>(gvr.replicaSets, this.namespace, this.name);
        const want = rs.spec?.replicas ?? 0;
        const pods = (await c.list<Pod>(gvr.pods, { namespace: this.namespace, labelSelector: `app=${this.name}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
        for (let i = pods.length; i < want; i++) {
          const n = ++this.serial;
          await c.create(gvr.pods, {
            apiVersion: 'v1', kind: 'Pod',
            metadata: { namespace: this.namespace, name: `${this.name}-${n}`, labels: { app: this.name } },
            spec: { nodeName: `sim-${(n % 2) + 1}`, containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
          });
        }
        for (const p of pods.slice(want)) await c.delete(gvr.pods, this.namespace, p.metadata!.name!);
        this.syncedAt = pods.length === want && pods.every((p) => p.status?.phase === 'Running') ? started : 0;
      } catch {
        this.syncedAt = 0;
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/**
 * Waits until the HPA controller has had no request in flight for a while, and every follower
 * has since looked and found its pods in step (so a scale the controller just wrote is seen).
 */
async function settle(): Promise<void> {
  let quietSince = Date.now();
  await waitFor('the controller and the pods to settle', () => {
    if (inflight > 0) quietSince = Date.now();
    return Date.now() - quietSince > 150 && followers.every((f) => f.syncedAt > quietSince);
  }, 30_000, 20);
}

/** One HPA sync period on the clock, and its consequences. */
async function step(): Promise<void> {
  await clock.advance(syncMs);
  await settle();
}

const replicasOf = async (ns: string, name: string): Promise<number> => (await cluster.client.get<ReplicaSet>(gvr.replicaSets, ns, name)).spec?.replicas ?? 0;
const hpaOf = (ns: string, name: string): Promise<HorizontalPodAutoscaler> => cluster.client.get<HorizontalPodAutoscaler>(gvr.horizontalPodAutoscalers, ns, name);
const condition = (hpa: HorizontalPodAutoscaler, type: string) => hpa.status?.conditions?.find((c) => c.type === type);

async function events(ns: string, name: string): Promise<Event[]> {
  await manager.flushEvents();
  const list = await cluster.client.list<Event>(gvr.events, { namespace: ns, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

async function createWorkload(ns: string, name: string, replicas: number, hpaSpec: Record<string, unknown>): Promise<void> {
  const c = cluster.client;
  await c.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await c.create(gvr.replicaSets, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { namespace: ns, name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '100m' } } }] } },
    },
  });
  followers.push(new ReplicaFollower(ns, name));
  await settle();
  await c.create(gvr.horizontalPodAutoscalers, {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { namespace: ns, name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name }, ...hpaSpec },
  });
}

const cpuTarget = (averageUtilization: number) => [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } }];

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 2, controllers: false });
  cluster.fleet.setUsage((pod) => {
    const app = pod.metadata?.labels?.app ?? '';
    return app in cpu ? { cpuMilli: cpu[app], memoryBytes: 32 * 2 ** 20 } : undefined;
  });
  hpaClient = KubeClient.fromKubeconfigFile(cluster.kubeconfigPath);
  // Counts the controller's requests in flight, to know when a sync has finished.
  const request = hpaClient.request.bind(hpaClient);
  hpaClient.request = async <R>(...args: Parameters<KubeClient['request']>): Promise<R> => {
    inflight++;
    try {
      return await request<R>(...args);
    } finally {
      inflight--;
    }
  };
  manager = new ControllerManager({ client: hpaClient, factories: [(ctx) => new HorizontalPodAutoscalerController(ctx)], clock, log: (l) => cluster.logs.push(l) });
  await manager.start();
}, 60_000);

afterAll(async () => {
  await Promise.all(followers.map((f) => f.stop()));
  manager?.stop();
  hpaClient?.close();
  await cluster?.stop();
});

describe('HorizontalPodAutoscaler', () => {
  it('scales 2→6 under high cpu, and back to 2 only after the stabilisation window', async () => {
    cpu.web = 90; // 90% of the 100m request, against a 50% target
    await createWorkload('shop', 'web', 2, { minReplicas: 2, maxReplicas: 6, metrics: cpuTarget(50) });
    const seen: number[] = [];
    for (let i = 0; i < 8 && (await replicasOf('shop', 'web')) < 6; i++) {
      await step();
      seen.push(await replicasOf('shop', 'web'));
    }
    // without behavior one step at most doubles (max(2×, 4)): 2 → 4 → 6, capped by maxReplicas
    expect(seen.filter((n, i) => n !== seen[i - 1])).toEqual([4, 6]);
    let hpa = await hpaOf('shop', 'web');
    expect(hpa.status).toMatchObject({ currentReplicas: 4, desiredReplicas: 6 });
    await step();
    hpa = await hpaOf('shop', 'web');
    expect(hpa.status).toMatchObject({ currentReplicas: 6, desiredReplicas: 6 });
    expect(hpa.status?.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } } }]);
    expect(hpa.status?.lastScaleTime).toBeTruthy();
    expect(condition(hpa, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'ReadyForNewScale' });
    expect(condition(hpa, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' });
    expect(condition(hpa, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
    const rescales = (await events('shop', 'web')).filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message).sort();
    expect(rescales).toEqual([
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      'New size: 6; reason: cpu resource utilization (percentage of request) above target',
    ]);

    // Load drops to 10%: the 5-minute window still holds the high recommendations.
    cpu.web = 10;
    const droppedAt = clock.now();
    let scaledDownAt: number | undefined;
    for (let i = 0; i < 24 && scaledDownAt === undefined; i++) {
      await step();
      if ((await replicasOf('shop', 'web')) < 6) scaledDownAt = clock.now();
      else if (i === 5) {
        hpa = await hpaOf('shop', 'web');
        expect(condition(hpa, 'AbleToScale')).toMatchObject({ reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
        expect(hpa.status).toMatchObject({ currentReplicas: 6, desiredReplicas: 6 });
        expect(hpa.status?.currentMetrics?.[0].resource?.current.averageUtilization).toBe(10);
      }
    }
    expect(scaledDownAt, 'scaled down at last').toBeDefined();
    // the last high recommendation was at most one period before the drop
    expect(scaledDownAt! - droppedAt).toBeGreaterThan(300_000 - syncMs);
    expect(scaledDownAt! - droppedAt).toBeLessThanOrEqual(300_000 + 2 * syncMs);
    expect(await replicasOf('shop', 'web')).toBe(2);
    hpa = await hpaOf('shop', 'web');
    // 10% of a 50% target: ceil(0.2 × 6) = 2, the minimum itself
    expect(condition(hpa, 'ScalingLimited')).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' });
    const down = (await events('shop', 'web')).find((e) => e.message === 'New size: 2; reason: All metrics below target');
    expect(down?.reason).toBe('SuccessfulRescale');
  });

  it('follows behavior: 100% or 4 pods per 15 s up, its own window and Pods policy down', async () => {
    cpu.api = 150; // three times the 50% target
    await createWorkload('api', 'api', 2, {
      minReplicas: 2, maxReplicas: 10, metrics: cpuTarget(50),
      behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } },
    });
    for (let i = 0; i < 4 && (await replicasOf('api', 'api')) === 2; i++) await step();
    // the default scale-up rules allow max(2 + 4, 2 × 2) at once: straight to the desired 6
    expect(await replicasOf('api', 'api')).toBe(6);
    const hpa = await hpaOf('api', 'api');
    expect(hpa.spec?.behavior?.scaleUp).toMatchObject({ stabilizationWindowSeconds: 0, selectPolicy: 'Max' });

    cpu.api = 10;
    const droppedAt = clock.now();
    const changes: { replicas: number; at: number }[] = [];
    for (let i = 0; i < 20 && (await replicasOf('api', 'api')) > 2; i++) {
      await step();
      const n = await replicasOf('api', 'api');
      if (n !== (changes.at(-1)?.replicas ?? 6)) changes.push({ replicas: n, at: clock.now() - droppedAt });
      if (n === 5) expect(condition(await hpaOf('api', 'api'), 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' });
    }
    // one pod per 30 s, starting once the 60 s window has passed
    expect(changes.map((c) => c.replicas)).toEqual([5, 4, 3, 2]);
    expect(changes[0].at).toBeGreaterThan(60_000 - syncMs);
    for (let i = 1; i < changes.length; i++) expect(changes[i].at - changes[i - 1].at).toBeGreaterThanOrEqual(30_000);
  });

  it('shows TARGETS in kubectl get hpa', async () => {
    const kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
    try {
      const out = await kubectl.ok(['get', 'hpa', '-n', 'shop']);
      expect(out).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
      expect(out).toMatch(/web\s+ReplicaSet\/web\s+cpu: 10%\/50%\s+2\s+6\s+2\s/);
    } finally {
      await kubectl.cleanup();
    }
  });

  it('reports what it cannot do with upstream conditions and events', async () => {
    const c = cluster.client;
    await c.create(gvr.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'odd' } });
    const hpa = (name: string, spec: Record<string, unknown>) => c.create(gvr.horizontalPodAutoscalers, {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { namespace: 'odd', name },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name }, minReplicas: 1, maxReplicas: 3, ...spec },
    });
    await c.create(gvr.replicaSets, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { namespace: 'odd', name: 'custom' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'custom' } }, template: { metadata: { labels: { app: 'custom' } }, spec: { containers: [{ name: 'app', image: 'busybox' }] } } },
    });
    await hpa('missing', { metrics: cpuTarget(50) });
    await hpa('custom', { metrics: [{ type: 'Pods', pods: { metric: { name: 'packets-per-second' }, target: { type: 'AverageValue', averageValue: '1k' } } }] });
    // the first sync comes one period after the controller sees the HPA
    const synced = async (name: string) => (await hpaOf('odd', name)).status?.conditions !== undefined;
    for (let i = 0; i < 3 && !((await synced('missing')) && (await synced('custom'))); i++) await step();
    const missing = await hpaOf('odd', 'missing');
    expect(condition(missing, 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale', message: 'the HPA controller was unable to get the target\'s current scale: replicasets.apps "missing" not found' });
    const custom = await hpaOf('odd', 'custom');
    expect(condition(custom, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' });
    expect(condition(custom, 'ScalingActive')).toMatchObject({
      status: 'False', reason: 'FailedGetPodsMetric',
      message: 'the HPA was unable to compute the replica count: unable to get metric packets-per-second: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered',
    });
    expect(custom.status).toMatchObject({ currentReplicas: 1, currentMetrics: [{ type: '' }] });
    const reasons = (await events('odd', 'custom')).map((e) => `${e.type} ${e.reason}`).sort();
    expect(reasons).toEqual(['Warning FailedComputeMetricsReplicas', 'Warning FailedGetPodsMetric']);
    expect((await events('odd', 'missing')).map((e) => e.reason)).toEqual(['FailedGetScale']);
  });
});

// The same through the whole control plane: kubectl autoscale of a Deployment, whose pods the
// Deployment and ReplicaSet controllers make and the scheduler binds. It runs once the
// Deployment controller is registered (written alongside, in src-main/controllers/index.ts).
const deploymentControllerRegistered = readFileSync(new URL('../../src-main/controllers/index.ts', import.meta.url), 'utf8').includes('new DeploymentController(');

describe.skipIf(!deploymentControllerRegistered)('HorizontalPodAutoscaler of a Deployment, every controller running', () => {
  const fullClock = new FakeClock();
  let full: TestCluster;
  beforeAll(async () => {
    full = await startTestCluster({ clock: fullClock, simulateNodes: 2 });
    full.fleet.setUsage((pod) => (pod.metadata?.labels?.app === 'web' ? { cpuMilli: 90, memoryBytes: 32 * 2 ** 20 } : undefined));
  }, 60_000);
  afterAll(async () => full?.stop());

  const deployment = () => full.client.get<Deployment>(gvr.deployments, 'default', 'web');
  const rolledOut = async () => {
    const d = await deployment();
    return d.status?.readyReplicas === d.spec?.replicas && d.status?.replicas === d.spec?.replicas && d;
  };

  it('kubectl autoscale, then 2→6 under load', async () => {
    await full.client.create(gvr.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'default', name: 'web' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m' } } }] } },
      },
    });
    await waitFor('2 ready replicas', rolledOut, 30_000);
    const kubectl = new Kubectl('1.35', full.kubeconfigPath);
    try {
      await kubectl.ok(['autoscale', 'deployment', 'web', '--min=2', '--max=6', '--cpu-percent=50']);
      const sizes: number[] = [];
      for (let i = 0; i < 8 && sizes.at(-1) !== 6; i++) {
        const before = (await deployment()).spec?.replicas;
        await fullClock.advance(syncMs);
        // the sync runs on real time once the clock has moved: give it a moment to scale
        await waitFor('a rescale', async () => (await deployment()).spec?.replicas !== before, 3000).catch(() => undefined);
        const d = await waitFor('the rollout', rolledOut, 30_000);
        if (d.spec?.replicas !== before) sizes.push(d.spec!.replicas!);
      }
      expect(sizes).toEqual([4, 6]);
      const described = await kubectl.ok(['describe', 'hpa', 'web']);
      expect(described).toMatch(/resource cpu on pods\s+\(as a percentage of request\):\s+90% \(90m\) \/ 50%/);
      expect(described).toContain('New size: 6; reason: cpu resource utilization (percentage of request) above target');
    } finally {
      await kubectl.cleanup();
    }
  });
});
