// The Deployment controller's arithmetic and bookkeeping, in isolation: maxSurge/maxUnavailable
// rounding, how far the new ReplicaSet may grow, the pod-template-hash, revision annotations,
// proportional scaling mid-rollout, and the progress deadline.
import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { EventRecorder } from '../../../src-main/client/event-recorder.ts';
import type { Informer } from '../../../src-main/client/informer.ts';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';
import { SyncContext } from '../../../src-main/controllers/deployment/context.ts';
import { lastRevision, setNewReplicaSetAnnotations } from '../../../src-main/controllers/deployment/history.ts';
import { deploymentTimedOut } from '../../../src-main/controllers/deployment/progress.ts';
import { scale } from '../../../src-main/controllers/deployment/scale.ts';
import { canonicalJSON, computeHash, equalIgnoreHash } from '../../../src-main/controllers/deployment/template.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, scaledValue } from '../../../src-main/controllers/deployment/util.ts';
import { FakeClock } from '../../../src-main/util/clock.ts';

function deployment(replicas: number, maxSurgeV: number | string, maxUnavailableV: number | string, extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
      ...extra,
    },
  };
}

function rs(name: string, replicas: number, annotations: Record<string, string> = {}, created = '2026-01-01T00:00:00Z'): ReplicaSet {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created, annotations },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
  };
}

describe('maxSurge and maxUnavailable', () => {
  it('round percentages as upstream: surge up, unavailable down', () => {
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(scaledValue('34%', 3, true)).toBe(2);
    expect(scaledValue(2, 10, true)).toBe(2);
    expect(resolveFenceposts(deployment(10, '25%', '25%'))).toEqual({ surge: 3, unavailable: 2 });
  });

  it('makes unavailability 1 when both round to 0, and never more than desired', () => {
    expect(resolveFenceposts(deployment(1, 0, '25%'))).toEqual({ surge: 0, unavailable: 1 });
    expect(maxUnavailable(deployment(2, 0, 5))).toBe(2);
    expect(maxUnavailable(deployment(0, 1, 1))).toBe(0);
    const recreate = { ...deployment(3, 1, 1), spec: { ...deployment(3, 1, 1).spec!, strategy: { type: 'Recreate' } } };
    expect(maxSurge(recreate)).toBe(0);
    expect(maxUnavailable(recreate)).toBe(0);
  });

  it('lets the new ReplicaSet grow within desired + maxSurge pods', () => {
    const d = deployment(3, 1, 0);
    const old = rs('old', 3);
    const fresh = rs('new', 0);
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(1);
    expect(newRSNewReplicas(d, [rs('old', 2), rs('new', 1)], rs('new', 1))).toBe(2);
    expect(newRSNewReplicas(d, [rs('old', 3), rs('new', 1)], rs('new', 1))).toBe(1);
    expect(newRSNewReplicas(deployment(10, '25%', '25%'), [rs('new', 0)], rs('new', 0))).toBe(10);
  });
});

describe('pod-template-hash', () => {
  const t: PodTemplateSpec = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } };

  it('is stable, independent of key order and empty values, and uses the safe alphabet', () => {
    const reordered = { spec: { containers: [{ image: 'v1', name: 'c', env: [] }] }, metadata: { annotations: {}, labels: { app: 'web' } } } as PodTemplateSpec;
    expect(computeHash(t)).toBe(computeHash(reordered));
    expect(computeHash(t)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash(t)).not.toBe(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'v2' }] } }));
  });

  it('changes with the collision count', () => {
    expect(computeHash(t, 0)).not.toBe(computeHash(t));
    expect(computeHash(t, 1)).not.toBe(computeHash(t, 0));
  });

  it('compares templates ignoring the hash label', () => {
    const withHash = { ...t, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } };
    expect(equalIgnoreHash(t, withHash)).toBe(true);
    expect(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'api' } } })).toBe(false);
    expect(canonicalJSON({ b: 1, a: { c: [] } })).toBe('{"b":1}');
  });
});

describe('revision annotations', () => {
  it('copy the Deployment annotations but not the skipped ones, and record replicas on create', () => {
    const d = deployment(3, 1, 0);
    d.metadata!.annotations = { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '1' };
    const fresh = rs('new', 1);
    expect(setNewReplicaSetAnnotations(d, fresh, 2, false)).toBe(true);
    expect(fresh.metadata?.annotations).toEqual({
      'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(setNewReplicaSetAnnotations(d, fresh, 2, true)).toBe(false);
  });

  it('keep the earlier revisions of a ReplicaSet rolled back to', () => {
    const d = deployment(3, 1, 0);
    const reused = rs('v1', 0, { 'deployment.kubernetes.io/revision': '1' });
    setNewReplicaSetAnnotations(d, reused, 3, true);
    expect(reused.metadata?.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    setNewReplicaSetAnnotations(d, reused, 5, true);
    expect(reused.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    expect(lastRevision([rs('a', 0, { 'deployment.kubernetes.io/revision': '4' }), reused, undefined])).toBe(4);
  });
});

/** A SyncContext whose client records ReplicaSet updates instead of sending them. */
function fakeSync(d: Deployment, clock = new FakeClock()) {
  const updates: ReplicaSet[] = [];
  const events: string[] = [];
  const client = {
    update: async (_gvr: unknown, obj: ReplicaSet) => {
      updates.push(obj);
      return obj;
    },
  } as unknown as KubeClient;
  const recorder = { event: (_o: unknown, _t: string, _r: string, m: string) => events.push(m) } as unknown as EventRecorder;
  const c = new SyncContext({ client, recorder, clock, replicaSets: {} as Informer<ReplicaSet>, requeueAfter: () => undefined }, d);
  return { c, updates, events };
}

describe('proportional scaling', () => {
  it('shares a scale-up between the active ReplicaSets by size (upstream example: 10 → 15 mid-rollout)', async () => {
    // a rollout of 10 replicas (maxSurge 3) stuck at 8 old + 5 new; scaled to 15
    const d = deployment(15, 3, 2);
    d.status = { replicas: 13 };
    const max = { 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' };
    const old = rs('old', 8, max, '2026-01-01T00:00:00Z');
    const fresh = rs('new', 5, max, '2026-01-01T00:01:00Z');
    const { c, updates, events } = fakeSync(d);
    await scale(c, fresh, [old]);
    // 18 allowed: +5, split 8:5 → round(8*18/13)-8 = 3, round(5*18/13)-5 = 2
    expect(Object.fromEntries(updates.map((u) => [u.metadata?.name, u.spec?.replicas]))).toEqual({ old: 11, new: 7 });
    expect(updates[0].metadata?.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '15', 'deployment.kubernetes.io/max-replicas': '18' });
    expect(events).toEqual(['Scaled up replica set old from 8 to 11', 'Scaled up replica set new from 5 to 7']);
  });

  it('gives a scale-down the leftovers on the largest, never below 0', async () => {
    const d = deployment(5, 3, 2);
    d.status = { replicas: 13 };
    const max = { 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' };
    const { c, updates } = fakeSync(d);
    await scale(c, rs('new', 5, max, '2026-01-01T00:01:00Z'), [rs('old', 8, max)]);
    const sizes = Object.fromEntries(updates.map((u) => [u.metadata?.name, u.spec?.replicas]));
    expect(sizes.old + sizes.new).toBe(8); // 5 + maxSurge 3
    expect(sizes).toEqual({ old: 5, new: 3 });
  });

  it('scales the single active ReplicaSet straight to the new size', async () => {
    const { c, updates, events } = fakeSync(deployment(6, 1, 0));
    await scale(c, rs('new', 3), [rs('old', 0)]);
    expect(updates.map((u) => [u.metadata?.name, u.spec?.replicas])).toEqual([['new', 6]]);
    expect(events).toEqual(['Scaled up replica set new from 3 to 6']);
  });
});

describe('progress deadline', () => {
  it('times out progressDeadlineSeconds after the last progress, not before', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 10, 0));
    const d = deployment(3, 1, 0, { progressDeadlineSeconds: 60 });
    const progressing = (at: string, reason = 'ReplicaSetUpdated') => ({
      conditions: [{ type: 'Progressing', status: 'True', reason, lastUpdateTime: at, lastTransitionTime: at }],
    });
    const { c } = fakeSync(d, clock);
    expect(deploymentTimedOut(c, progressing('2026-01-01T00:09:00Z'))).toBe(false);
    expect(deploymentTimedOut(c, progressing('2026-01-01T00:08:59Z'))).toBe(true);
    expect(deploymentTimedOut(c, progressing('2026-01-01T00:00:00Z', 'NewReplicaSetAvailable'))).toBe(false);
  });
});
