import { describe, expect, it } from 'vitest';
import { SchedulerCache } from '../../../src-main/scheduler/cache.ts';
import { defaultNormalizeScore } from '../../../src-main/scheduler/framework.ts';
import { newPodInfo } from '../../../src-main/scheduler/pod-info.ts';
import { BalancedAllocation } from '../../../src-main/scheduler/plugins/balanced-allocation.ts';
import { NodeResourcesFit } from '../../../src-main/scheduler/plugins/node-resources-fit.ts';
import { TaintToleration } from '../../../src-main/scheduler/plugins/taint-toleration.ts';
import { numFeasibleNodesToFind } from '../../../src-main/scheduler/schedule-one.ts';
import { Skip } from '../../../src-main/scheduler/framework.ts';
import { bound, cluster, node, pod, scheduleIn } from './helpers.ts';

function scoresOf(plugin: { preScore: (c: never, n: never) => unknown }, cache: SchedulerCache, p: ReturnType<typeof pod>) {
  const nodes = cache.nodeList();
  const scorer = plugin.preScore({ pod: newPodInfo(p), cache } as never, nodes as never) as typeof Skip | { score: (n: unknown) => number; normalize?: (s: number[], n: unknown) => void };
  if (scorer === Skip) return 'skip';
  const s = nodes.map((n) => scorer.score(n));
  scorer.normalize?.(s, nodes);
  return s;
}

describe('score plugins', () => {
  it('LeastAllocated on non-zero requests: (free / allocatable) × 100, cpu and memory averaged', () => {
    const { cache } = cluster([node('a', { cpu: '4', memory: '8Gi' }), node('b', { cpu: '4', memory: '8Gi' })], [bound(pod('x', { cpu: '2', memory: '4Gi' }), 'a')]);
    // a: cpu (4000-3000)/4000 = 25, mem (8-5)/8 = 37 → 31; b: cpu 75, mem 87 → 81
    expect(scoresOf(new NodeResourcesFit(), cache, pod('p', { cpu: '1', memory: '1Gi' }))).toEqual([31, 81]);
    // a pod without requests counts as 100m / 200 MiB
    expect(scoresOf(new NodeResourcesFit(), cache, pod('q'))).toEqual([Math.trunc((47 + 47) / 2), Math.trunc((97 + 97) / 2)]);
  });

  it('BalancedAllocation: (1 − |cpu fraction − memory fraction| / 2) × 100; best-effort pods skip it', () => {
    const { cache } = cluster([node('a', { cpu: '4', memory: '8Gi' })]);
    expect(scoresOf(new BalancedAllocation(), cache, pod('p', { cpu: '2', memory: '1Gi' }))).toEqual([Math.trunc((1 - (0.5 - 0.125) / 2) * 100)]);
    expect(scoresOf(new BalancedAllocation(), cache, pod('q'))).toBe('skip');
  });

  it('TaintToleration: fewer untolerated PreferNoSchedule taints score higher; none anywhere skips', () => {
    const { cache } = cluster([
      node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }] }),
      node('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
      node('c'),
    ]);
    expect(scoresOf(new TaintToleration(), cache, pod('p'))).toEqual([0, 50, 100]);
    expect(scoresOf(new TaintToleration(), cache, pod('t', { tolerations: [{ key: 'x', operator: 'Exists' }] }))).toEqual([0, 100, 100]);
    expect(scoresOf(new TaintToleration(), cluster([node('a')]).cache, pod('p'))).toBe('skip');
  });

  it('DefaultNormalizeScore', () => {
    const s = [0, 5, 10];
    defaultNormalizeScore(s, false);
    expect(s).toEqual([0, 50, 100]);
    const r = [0, 0];
    defaultNormalizeScore(r, true);
    expect(r).toEqual([100, 100]);
  });

  it('the least loaded node wins', () => {
    const c = cluster([node('a'), node('b'), node('c')], [bound(pod('x', { cpu: '2' }), 'a'), bound(pod('y', { cpu: '1' }), 'b')]);
    expect(scheduleIn(c, pod('p', { cpu: '500m' }))).toBe('c');
  });

  it('percentageOfNodesToScore: all below 100 nodes, then 50% − nodes/125, at least 5% and 100 nodes', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(100)).toBe(100);
    expect(numFeasibleNodesToFind(200)).toBe(100);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(10000)).toBe(500);
    expect(numFeasibleNodesToFind(1000, 10)).toBe(100);
  });
});
