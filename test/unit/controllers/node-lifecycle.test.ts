import { describe, expect, it } from 'vitest';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1';
import { lastSignOfLife, unknownConditions } from '../../../src-main/controllers/node-lifecycle/health.ts';
import { reconcileTaints } from '../../../src-main/controllers/node-lifecycle/taints.ts';
import { tolerationMs } from '../../../src-main/controllers/node-lifecycle/taint-eviction.ts';

const now = Date.UTC(2026, 0, 1, 0, 10, 0);
const t = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function node(ready: string | undefined, extra: Partial<Node['spec']> = {}, conditions: NodeCondition[] = []): Node {
  const all = ready === undefined ? conditions : [{ type: 'Ready', status: ready, lastHeartbeatTime: t(now - 60_000), lastTransitionTime: t(now - 600_000) }, ...conditions];
  return { metadata: { name: 'n', creationTimestamp: t(now - 3600_000) }, spec: { ...extra }, status: { conditions: all } };
}

const keys = (taints: Taint[] | undefined) => taints?.map((x) => `${x.key}:${x.effect}`).sort();

describe('node health', () => {
  it('takes the newest of the lease renewal and the Ready heartbeat', () => {
    const n = node('True');
    expect(lastSignOfLife(n, undefined)).toBe(now - 60_000);
    expect(lastSignOfLife(n, { spec: { renewTime: new Date(now - 5000).toISOString().replace('Z', '000Z') } })).toBe(now - 5000);
  });

  it('sets every kubelet condition Unknown with upstream reasons, keeping heartbeats', () => {
    const c = unknownConditions(node('True', {}, [{ type: 'MemoryPressure', status: 'False' }, { type: 'NetworkUnavailable', status: 'False' }]), now)!;
    expect(c.find((x) => x.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: t(now), lastHeartbeatTime: t(now - 60_000) });
    expect(c.find((x) => x.type === 'MemoryPressure')?.status).toBe('Unknown');
    expect(c.find((x) => x.type === 'DiskPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    expect(c.find((x) => x.type === 'NetworkUnavailable')?.status).toBe('False');
    expect(unknownConditions({ ...node('True'), status: { conditions: c } }, now + 5000)).toBeUndefined();
  });
});

describe('node condition taints', () => {
  it('follow Ready: unreachable for Unknown, not-ready for False, none for True', () => {
    expect(keys(reconcileTaints(node('Unknown'), now))).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(keys(reconcileTaints(node('False'), now))).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    expect(reconcileTaints(node('True'), now)).toBeUndefined();
  });

  it('swap not-ready for unreachable, keep foreign taints and the timeAdded of kept ones', () => {
    const foreign: Taint = { key: 'example.com/gpu', effect: 'NoSchedule' };
    const old: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: t(now - 1000) };
    const n = node('False', { taints: [foreign, old, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] });
    const next = reconcileTaints(n, now)!;
    expect(keys(next)).toEqual(['example.com/gpu:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    expect(next.find((x) => x.effect === 'NoExecute')?.timeAdded).toBe(t(now));
    const same = reconcileTaints(node('Unknown', { taints: [foreign, old, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }), now);
    expect(same).toBeUndefined();
    expect(keys(reconcileTaints(node('True', { taints: [foreign, old] }), now))).toEqual(['example.com/gpu:NoSchedule']);
  });

  it('add pressure and cordon taints, and no NoExecute in full disruption', () => {
    const n = node('Unknown', { unschedulable: true }, [{ type: 'DiskPressure', status: 'True' }]);
    expect(keys(reconcileTaints(n, now, false))).toEqual([
      'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });
});

describe('toleration time', () => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  it('is 0 for an untolerated taint, Infinity without seconds, else the least seconds used', () => {
    expect(tolerationMs([taint], [])).toBe(0);
    expect(tolerationMs([taint], [{ key: taint.key, operator: 'Exists', effect: 'NoExecute' }])).toBe(Infinity);
    expect(tolerationMs([taint, { key: 'x', effect: 'NoExecute' }], [
      { key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'x', operator: 'Exists', tolerationSeconds: 30 },
    ])).toBe(30_000);
    expect(tolerationMs([taint], [{ operator: 'Exists', tolerationSeconds: -5 }])).toBe(0);
  });
});
