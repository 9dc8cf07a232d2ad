import { describe, expect, it } from 'vitest';
import type { PodAffinityTerm } from 'kubernetes-types/core/v1';
import { bound, cluster, node, pod, scheduleIn } from './helpers.ts';

const term = (app: string, topologyKey = 'kubernetes.io/hostname'): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const zoned = (name: string, zone: string) => node(name, { labels: { 'topology.kubernetes.io/zone': zone } });

describe('InterPodAffinity', () => {
  it('required anti-affinity on hostname keeps replicas apart; with every node taken the reason is upstream\'s', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } };
    const c = cluster([node('a'), node('b')], [bound(pod('w1', { labels: { app: 'web' }, affinity: anti }), 'a')]);
    expect(scheduleIn(c, pod('w2', { labels: { app: 'web' }, affinity: anti }))).toBe('b');
    c.cache.addPod(bound(pod('w2', { labels: { app: 'web' }, affinity: anti }), 'b'));
    expect(scheduleIn(c, pod('w3', { labels: { app: 'web' }, affinity: anti }))).toBe(
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
  });

  it("existing pods' anti-affinity keeps an incoming pod away even when it has no terms itself", () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('noisy')] } };
    const c = cluster([node('a'), node('b')], [bound(pod('quiet', { labels: { app: 'db' }, affinity: anti }), 'a')]);
    expect(scheduleIn(c, pod('n', { labels: { app: 'noisy' } }))).toBe('b');
    const one = cluster([node('a')], [bound(pod('quiet', { labels: { app: 'db' }, affinity: anti }), 'a')]);
    expect(scheduleIn(one, pod('n', { labels: { app: 'noisy' } }))).toMatch(/^0\/1 nodes are available: 1 node\(s\) didn't satisfy existing pods anti-affinity rules\./);
  });

  it('required affinity follows the matching pod; the first of a self-affine group may go anywhere', () => {
    const c = cluster([node('a'), node('b'), node('c')], [bound(pod('cache', { labels: { app: 'cache' } }), 'b')]);
    const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache')] } };
    expect(scheduleIn(c, pod('web', { affinity: near }))).toBe('b');
    const nowhere = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('missing')] } };
    expect(scheduleIn(c, pod('lost', { affinity: nowhere }))).toBe(
      `0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`);
    const self = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('group')] } };
    expect(scheduleIn(c, pod('first', { labels: { app: 'group' }, affinity: self }))).toMatch(/^[abc]$/);
  });

  it('any topology key: anti-affinity by zone', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'topology.kubernetes.io/zone')] } };
    const c = cluster([zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')], [bound(pod('w1', { labels: { app: 'web' }, affinity: anti }), 'a1')]);
    expect(scheduleIn(c, pod('w2', { labels: { app: 'web' }, affinity: anti }))).toBe('b1');
  });

  it('terms select pods of their namespaces only (own namespace by default)', () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } };
    const c = cluster([node('a')], [bound(pod('other', { namespace: 'team', labels: { app: 'web' } }), 'a')]);
    expect(scheduleIn(c, pod('w', { labels: { app: 'web' }, affinity: anti }))).toBe('a');
    const everywhere = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term('web'), namespaceSelector: {} }] } };
    expect(scheduleIn(c, pod('w', { labels: { app: 'web' }, affinity: everywhere }))).toMatch(/anti-affinity/);
  });

  it('preferred affinity and anti-affinity score', () => {
    const c = cluster([node('a'), node('b'), node('c')], [bound(pod('cache', { labels: { app: 'cache' } }), 'c'), bound(pod('noisy', { labels: { app: 'noisy' } }), 'a')]);
    const prefer = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('cache') }] } };
    expect(scheduleIn(c, pod('p', { affinity: prefer }))).toBe('c');
    const avoid = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('noisy') }] } };
    for (let i = 0; i < 5; i++) expect(scheduleIn(c, pod(`q${i}`, { affinity: avoid }))).not.toBe('a');
  });
});

describe('NodeAffinity preferred and PodTopologySpread', () => {
  it('preferred node affinity picks the heavier matching term', () => {
    const c = cluster([node('a', { labels: { tier: 'fast' } }), node('b', { labels: { tier: 'slow' } }), node('c')]);
    const affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['slow'] }] } },
          { weight: 80, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fast'] }] } },
        ],
      },
    };
    expect(scheduleIn(c, pod('p', { affinity }))).toBe('a');
  });

  it('replicas of one controller spread across nodes by default', () => {
    const c = cluster([node('a'), node('b'), node('c')]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 9; i++) {
      const p = pod(`r${i}`, { owner: 'web', labels: { app: 'web' } });
      const at = scheduleIn(c, p);
      counts[at] = (counts[at] ?? 0) + 1;
      c.cache.addPod(bound(p, at));
    }
    expect(counts).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('DoNotSchedule constraints filter by skew, with upstream reasons', () => {
    const spread = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];
    const c = cluster([zoned('a1', 'a'), zoned('b1', 'b'), node('plain')], [bound(pod('w1', { labels: { app: 'web' } }), 'a1')]);
    expect(scheduleIn(c, pod('w2', { labels: { app: 'web' }, topologySpreadConstraints: spread }))).toBe('b1');
    c.cache.addPod(bound(pod('w2', { labels: { app: 'web' } }), 'b1'));
    c.cache.addPod(bound(pod('w3', { labels: { app: 'web' } }), 'b1'));
    expect(scheduleIn(c, pod('w4', { labels: { app: 'web' }, topologySpreadConstraints: spread }))).toBe('a1');
    const full = cluster([zoned('a1', 'a'), zoned('b1', 'b'), node('plain')], [bound(pod('w1', { labels: { app: 'web' } }), 'a1')]);
    full.cache.addPod(bound(pod('w0', { labels: { app: 'web' } }), 'a1'));
    full.cache.addPod(bound(pod('w2', { labels: { app: 'web' }, cpu: '4' }), 'b1'));
    expect(scheduleIn(full, pod('w3', { cpu: '1', labels: { app: 'web' }, topologySpreadConstraints: spread }))).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
  });
});
