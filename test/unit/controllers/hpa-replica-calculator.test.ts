// The HPA's replica calculator, on the cases upstream's replica_calculator_test.go pins: plain
// scale up and down, tolerance, unready and missing pods, ignored pods, and the errors.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { groupPods, podRequests, rawResourceReplicas, resourceReplicas, type CalculatorInput } from '../../../src-main/controllers/hpa/replica-calculator.ts';
import type { PodMetricsInfo } from '../../../src-main/controllers/hpa/resource-metrics.ts';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

interface PodOpts {
  ready?: boolean;
  /** ms before now the pod started (default 10 min: past the cpu initialisation period). */
  startedAgo?: number;
  /** ms before now the Ready condition last changed (default: 10 s after start). */
  readyChangedAgo?: number;
  phase?: string;
  deleting?: boolean;
  cpu?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const startedAgo = o.startedAgo ?? 10 * 60_000;
  return {
    metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: iso(now) } : {}) },
    spec: { containers: [{ name: 'c', image: 'x', ...(o.cpu === '' ? {} : { resources: { requests: { cpu: o.cpu ?? '1', memory: '1Gi' } } }) }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: iso(now - startedAgo),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(now - (o.readyChangedAgo ?? startedAgo - 10_000)) }],
    },
  };
}

function metrics(values: Record<string, number>): PodMetricsInfo {
  return new Map(Object.entries(values).map(([name, value]) => [name, { value, timestamp: now, windowMs: 30_000 }]));
}

function input(currentReplicas: number, pods: Pod[], m: PodMetricsInfo, resource = 'cpu'): CalculatorInput {
  return { currentReplicas, pods, metrics: m, resource, container: '', tolerances: { scaleUp: 0.1, scaleDown: 0.1 }, now };
}

const three = [pod('a'), pod('b'), pod('c')];

describe('resourceReplicas (target utilization)', () => {
  it('scales up by the ratio of utilization to target', () => {
    // 1500m of 3000m requested is 50%, against 30%: ceil(3 × 50/30) = 5
    const r = resourceReplicas(input(3, three, metrics({ a: 300, b: 500, c: 700 })), 30);
    expect(r).toMatchObject({ replicas: 5, utilization: 50, rawAverage: 500 });
  });

  it('scales down, and keeps the count within the tolerance', () => {
    expect(resourceReplicas(input(5, three, metrics({ a: 100, b: 300, c: 500 })), 50).replicas).toBe(2);
    // 53% against 50% is within 10%
    expect(resourceReplicas(input(3, three, metrics({ a: 530, b: 530, c: 530 })), 50).replicas).toBe(3);
  });

  it('counts unready pods as 0% on a scale up, reporting the ready pods\' utilization', () => {
    const pods = [pod('a', { ready: false, startedAgo: 60_000 }), pod('b'), pod('c')];
    const r = resourceReplicas(input(3, pods, metrics({ a: 300, b: 500, c: 700 })), 30);
    // 1200/2000 = 60% of the ready ones; with a at 0: 1200/3000 = 40% → ceil(3 × 40/30) = 4
    expect(r).toMatchObject({ replicas: 4, utilization: 60 });
  });

  it('ignores a freshly ready pod\'s sample for one metrics window', () => {
    const fresh = pod('a', { startedAgo: 60_000, readyChangedAgo: 10_000 });
    const g = groupPods([fresh, pod('b')], metrics({ a: 1000, b: 1000 }), 'cpu', now);
    expect([...g.unready]).toEqual(['a']);
    expect(g.readyPodCount).toBe(1);
    // memory samples are always taken
    expect(groupPods([fresh], metrics({ a: 1 }), 'memory', now).readyPodCount).toBe(1);
  });

  it('counts pods without metrics as using their request on a scale down, 0% on a scale up', () => {
    const four = [...three, pod('d')];
    // 495 of 2000 is 24%; with c and d at 100%: 2495/4000 = 62% → ceil(4 × 0.62) = 3
    expect(resourceReplicas(input(4, four, metrics({ a: 400, b: 95 })), 100).replicas).toBe(3);
    // 1900 of 1000 is 190%; with b at 0: 95%, within tolerance → no change
    expect(resourceReplicas(input(2, [pod('a'), pod('b')], metrics({ a: 1900 })), 100).replicas).toBe(2);
  });

  it('never turns a scale down into a scale up because of missing pods', () => {
    // 40% against 50% says down; with the missing pod at 100%: 70% says up → keep
    expect(resourceReplicas(input(2, [pod('a'), pod('b')], metrics({ a: 400 })), 50).replicas).toBe(2);
  });

  it('ignores pods being deleted or failed, and pending pods', () => {
    const pods = [pod('a'), pod('b', { deleting: true }), pod('c', { phase: 'Failed' }), pod('d', { phase: 'Pending' })];
    const g = groupPods(pods, metrics({ a: 1, b: 1, c: 1 }), 'cpu', now);
    expect([...g.ignored].sort()).toEqual(['b', 'c']);
    expect([...g.unready]).toEqual(['d']);
    expect(g.readyPodCount).toBe(1);
  });

  it('fails as upstream when it cannot compute', () => {
    expect(() => resourceReplicas(input(1, [], metrics({})), 50)).toThrow('no pods returned by selector while calculating replica count');
    expect(() => resourceReplicas(input(1, [pod('a', { phase: 'Pending' })], metrics({ a: 1 })), 50)).toThrow('did not receive metrics for targeted pods (pods might be unready)');
    expect(() => resourceReplicas(input(1, [pod('a', { cpu: '' })], metrics({ a: 1 })), 50)).toThrow('missing request for cpu in container c of Pod a');
  });
});

describe('rawResourceReplicas (target average value)', () => {
  it('scales by the average against the target', () => {
    const mi = 2 ** 20 * 1000; // a MiB in milli-bytes
    const r = rawResourceReplicas(input(3, three, metrics({ a: 200 * mi, b: 200 * mi, c: 200 * mi }), 'memory'), 100 * mi);
    expect(r).toEqual({ replicas: 6, usage: 200 * mi });
  });

  it('counts pods without metrics as using the target on a scale down', () => {
    // 100 against 500 says 0.2; with b at 500: 300/500 = 0.6 → ceil(2 × 0.6) = 2 (no change)
    expect(rawResourceReplicas(input(2, [pod('a'), pod('b')], metrics({ a: 100 }), 'memory'), 500).replicas).toBe(2);
  });
});

describe('podRequests', () => {
  it('sums containers and sidecars, or takes the named container or the pod-level request', () => {
    const p = pod('a');
    const withSidecar: Pod = { ...p, spec: { ...p.spec!, initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '250m' } } }, { name: 'init', image: 'x' }] } };
    expect(podRequests([withSidecar], '', 'cpu').get('a')).toBe(1250);
    expect(podRequests([withSidecar], 'side', 'cpu').get('a')).toBe(250);
    expect(() => podRequests([withSidecar], 'nope', 'cpu')).toThrow('container nope not found in Pod a');
    const podLevel = { ...p, spec: { ...p.spec!, resources: { requests: { cpu: '2' } } } } as Pod;
    expect(podRequests([podLevel], '', 'cpu').get('a')).toBe(2000);
  });
});
