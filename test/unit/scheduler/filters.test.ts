import { describe, expect, it } from 'vitest';
import { bound, cluster, node, pod, scheduleIn } from './helpers.ts';

const notHelpful = (n: number, all = n) => `preemption: 0/${all} nodes are available: ${n} Preemption is not helpful for scheduling.`;

describe('filter plugins and the FitError message', () => {
  it('NodeResourcesFit: Insufficient cpu / memory, each counted, and a request bigger than any node is not helped by preemption', () => {
    const c = cluster([node('a', { cpu: '2' }), node('b', { cpu: '2' }), node('c', { cpu: '8' })], [bound(pod('x', { cpu: '7' }), 'c')]);
    expect(scheduleIn(c, pod('p', { cpu: '3', memory: '20Gi' }))).toBe(
      '0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory. ' + notHelpful(3));
    // 1.5 cpu: fits on a or b
    expect(['a', 'b']).toContain(scheduleIn(c, pod('q', { cpu: '1500m' })));
    // 3 cpu fits in c's 8 but not next to x: preemption finds no lower-priority victim there
    expect(scheduleIn(c, pod('r', { cpu: '3' }))).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
  });

  it('NodeResourcesFit: a lower-priority pod that could be evicted means preemption would help (no suffix)', () => {
    const c = cluster([node('a', { cpu: '2' })], [bound(pod('low', { cpu: '2', priority: 0 }), 'a')]);
    expect(scheduleIn(c, pod('high', { cpu: '1', priority: 1000 }))).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    expect(scheduleIn(c, pod('never', { cpu: '1', priority: 1000, preemptionPolicy: 'Never' }))).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('NodeResourcesFit: init containers count by the max rule, sidecars add, overhead adds', () => {
    const c = cluster([node('a', { cpu: '2' })]);
    const init = pod('init', { cpu: '500m', initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '3' } } }] });
    expect(scheduleIn(c, init)).toMatch(/^0\/1 nodes are available: 1 Insufficient cpu\./);
    const sidecar = pod('side', { cpu: '1500m', initContainers: [{ name: 's', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '600m' } } }] });
    expect(scheduleIn(c, sidecar)).toMatch(/Insufficient cpu/);
    expect(scheduleIn(c, pod('over', { cpu: '1500m', overhead: { cpu: '600m' } }))).toMatch(/Insufficient cpu/);
    expect(scheduleIn(c, pod('ok', { cpu: '1500m', overhead: { cpu: '500m' } }))).toBe('a');
  });

  it('NodeResourcesFit: Too many pods', () => {
    const c = cluster([node('a', { pods: 1 })], [bound(pod('x'), 'a')]);
    expect(scheduleIn(c, pod('p'))).toBe('0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  });

  it('TaintToleration: NoSchedule and NoExecute keep untolerating pods out; PreferNoSchedule does not', () => {
    const nodes = [
      node('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      node('gpu', { taints: [{ key: 'gpu', value: 'yes', effect: 'NoExecute' }] }),
      node('soft', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
    ];
    const c = cluster(nodes);
    expect(scheduleIn(c, pod('p'))).toBe('soft');
    const c2 = cluster(nodes.slice(0, 2));
    expect(scheduleIn(c2, pod('p'))).toBe(`0/2 nodes are available: 2 node(s) had untolerated taint(s). ${notHelpful(2)}`);
    expect(scheduleIn(c2, pod('t', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'yes', effect: 'NoExecute' }] }))).toBe('gpu');
    expect(scheduleIn(c2, pod('all', { tolerations: [{ operator: 'Exists' }] }))).not.toMatch(/available/);
  });

  it('a node that is not Ready is refused as upstream ends up doing: by the not-ready / unreachable taint', () => {
    const c = cluster([node('down', { ready: 'False' }), node('gone', { ready: 'Unknown' })]);
    expect(scheduleIn(c, pod('p'))).toBe(`0/2 nodes are available: 2 node(s) had untolerated taint(s). ${notHelpful(2)}`);
    expect(scheduleIn(c, pod('t', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] }))).toBe('gone');
  });

  it('NodeUnschedulable: a cordoned node is refused unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    const c = cluster([node('a', { unschedulable: true })]);
    expect(scheduleIn(c, pod('p'))).toBe(`0/1 nodes are available: 1 node(s) were unschedulable. ${notHelpful(1)}`);
    expect(scheduleIn(c, pod('t', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }))).toBe('a');
  });

  it('NodeAffinity: nodeSelector and required terms; matchFields on metadata.name narrows the cycle', () => {
    const c = cluster([node('a', { labels: { disk: 'ssd' } }), node('b'), node('c', { cpu: '1' })], [bound(pod('x', { cpu: '1' }), 'c')]);
    expect(scheduleIn(c, pod('p', { nodeSelector: { disk: 'ssd' } }))).toBe('a');
    expect(scheduleIn(c, pod('q', { nodeSelector: { disk: 'nvme' } }))).toBe(
      `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. ${notHelpful(3)}`);
    const required = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }] } } };
    expect(['b', 'c']).toContain(scheduleIn(c, pod('r', { affinity: required })));
    const onC = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }] } } };
    expect(scheduleIn(c, pod('ds', { cpu: '500m', affinity: onC }))).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
  });

  it('NodePorts: a hostPort in use on a node is refused there', () => {
    const c = cluster([node('a'), node('b')], [bound(pod('x', { hostPort: 8080 }), 'a'), bound(pod('y', { hostPort: 8080 }), 'b')]);
    expect(scheduleIn(c, pod('p', { hostPort: 8080 }))).toBe(
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    expect(['a', 'b']).toContain(scheduleIn(c, pod('q', { hostPort: 8081 })));
  });

  it('no nodes at all', () => {
    expect(scheduleIn(cluster([]), pod('p'))).toBe('no nodes available to schedule pods');
  });
});
