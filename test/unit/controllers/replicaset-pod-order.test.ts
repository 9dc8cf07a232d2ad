// Which surplus pods a ReplicaSet deletes first (upstream's ActivePodsWithRanks), its status
// arithmetic, and slow-start batches.
import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { podDeletionCost, podsToDelete, sortPodsForDeletion } from '../../../src-main/controllers/replicaset/pod-order.ts';
import { slowStartBatch } from '../../../src-main/controllers/replicaset/slow-start.ts';
import { calculateStatus, nextAvailableInMs } from '../../../src-main/controllers/replicaset/status.ts';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

interface PodShape {
  node?: string;
  phase?: string;
  ready?: boolean;
  readyAt?: number;
  created?: number;
  restarts?: number;
  cost?: string;
  labels?: Record<string, string>;
}

function pod(name: string, s: PodShape = {}): Pod {
  const ready = s.ready ?? true;
  return {
    metadata: {
      name, uid: `uid-${name}`, namespace: 'default', labels: s.labels ?? { app: 'web' },
      creationTimestamp: iso(s.created ?? now - 3_600_000),
      ...(s.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': s.cost } } : {}),
    },
    spec: { nodeName: s.node ?? 'n1', containers: [{ name: 'c' }] },
    status: {
      phase: s.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(s.readyAt ?? now - 3_600_000) }],
      containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready, restartCount: s.restarts ?? 0 }],
    },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);

describe('surplus pod order', () => {
  it('puts unscheduled before scheduled, then Pending < Unknown < Running', () => {
    const pods = [pod('running'), pod('unknown', { phase: 'Unknown' }), pod('pending', { phase: 'Pending' }), pod('unbound', { node: '' })];
    expect(names(sortPodsForDeletion(pods, pods, now))).toEqual(['unbound', 'pending', 'unknown', 'running']);
  });

  it('puts not ready before ready, then the lower deletion cost first', () => {
    const pods = [pod('costly', { cost: '100' }), pod('cheap', { cost: '-5' }), pod('plain'), pod('unready', { ready: false, cost: '1000' })];
    expect(names(sortPodsForDeletion(pods, pods, now))).toEqual(['unready', 'cheap', 'plain', 'costly']);
  });

  it('puts pods doubled up on a node with related pods first', () => {
    const alone = pod('alone', { node: 'n1' });
    const crowdedA = pod('crowded-a', { node: 'n2' });
    const crowdedB = pod('crowded-b', { node: 'n2' });
    // a pod of a sibling ReplicaSet on n2 makes it more crowded still
    const sibling = pod('sibling', { node: 'n2' });
    const order = names(sortPodsForDeletion([alone, crowdedA, crowdedB], [alone, crowdedA, crowdedB, sibling], now));
    expect(order[2]).toBe('alone');
  });

  it('then ready for less time, more restarts, and newer first (ages on a log scale)', () => {
    const pods = [
      pod('old', { created: now - 86_400_000, readyAt: now - 86_400_000 }),
      pod('recent', { created: now - 60_000, readyAt: now - 60_000 }),
    ];
    expect(names(sortPodsForDeletion(pods, [], now))).toEqual(['recent', 'old']);
    const restarts = [pod('stable'), pod('crashy', { restarts: 7 })];
    expect(names(sortPodsForDeletion(restarts, [], now))).toEqual(['crashy', 'stable']);
    const unreadyAges = [pod('u-old', { ready: false, created: now - 86_400_000 }), pod('u-new', { ready: false, created: now - 10_000 })];
    expect(names(sortPodsForDeletion(unreadyAges, [], now))).toEqual(['u-new', 'u-old']);
  });

  it('reads the deletion cost as an int32, ignoring what does not parse', () => {
    expect(podDeletionCost(pod('a', { cost: '42' }))).toBe(42);
    expect(podDeletionCost(pod('a', { cost: '-2147483648' }))).toBe(-2147483648);
    expect(podDeletionCost(pod('a', { cost: 'lots' }))).toBe(0);
    expect(podDeletionCost(pod('a', { cost: '99999999999' }))).toBe(0);
    expect(podDeletionCost(pod('a'))).toBe(0);
  });

  it('deletes all without sorting when asked for at least as many as there are', () => {
    const pods = [pod('a'), pod('b')];
    expect(names(podsToDelete(pods, pods, 5, now))).toEqual(['a', 'b']);
    expect(names(podsToDelete([pod('keep'), pod('go', { ready: false })], [], 1, now))).toEqual(['go']);
  });
});

describe('ReplicaSet status', () => {
  const rs: ReplicaSet = {
    metadata: { name: 'web', generation: 2 },
    spec: { replicas: 3, minReadySeconds: 10, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } },
    status: { replicas: 0 },
  };

  it('counts fully labelled, ready and available pods', () => {
    const pods = [
      pod('a', { labels: { app: 'web', tier: 'fe' }, readyAt: now - 60_000 }),
      pod('b', { labels: { app: 'web' }, readyAt: now - 5_000 }),
      pod('c', { labels: { app: 'web', tier: 'fe' }, ready: false }),
    ];
    const s = calculateStatus(rs, pods, undefined, now);
    expect(s).toMatchObject({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
    expect(nextAvailableInMs(rs, pods, now)).toBe(5_000);
  });

  it('sets ReplicaFailure while creates fail and clears it after', () => {
    const failed = calculateStatus(rs, [], new Error('pods "web-x" is forbidden: exceeded quota'), now);
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: iso(now) }]);
    const healed = calculateStatus({ ...rs, status: failed }, [], undefined, now);
    expect(healed.conditions).toBeUndefined();
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4 ... and stops after the first failing batch', async () => {
    // every call of a batch starts before any of them ends: the first to end sees the batch size
    const batches: number[] = [];
    let started = 0;
    const r = await slowStartBatch(20, 1, async () => {
      started++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (started > 0) batches.push(started);
      started = 0;
    });
    expect(r).toEqual({ successes: 20 });
    expect(batches).toEqual([1, 2, 4, 8, 5]);
    let failAt = 0;
    const f = await slowStartBatch(20, 1, async () => {
      failAt++;
      if (failAt === 5) throw new Error('quota');
    });
    // 1 + 2 succeed, the batch of 4 has one failure, the batch of 8 never starts
    expect(f.successes).toBe(6);
    expect(f.error?.message).toBe('quota');
    expect(failAt).toBe(7);
  });
});
