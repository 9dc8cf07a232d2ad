import { describe, expect, it } from 'vitest';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { addDaemonTolerations, daemonPodTemplate, targetNodeName, withNodeNameAffinity } from '../../../src-main/controllers/daemonset/daemon-pod.ts';
import { nodeShouldRunDaemonPod, predicatePod } from '../../../src-main/controllers/daemonset/eligibility.ts';
import { planManage } from '../../../src-main/controllers/daemonset/manage.ts';
import { planRollingUpdate, rollingLimits, scaledValue } from '../../../src-main/controllers/daemonset/rolling-update.ts';
import { computeStatus } from '../../../src-main/controllers/daemonset/status.ts';

const now = Date.UTC(2026, 0, 1);
const t = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function ds(spec: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet {
  return {
    metadata: { name: 'd', namespace: 'default', uid: 'u', generation: 2 },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...spec },
  };
}

const node = (name: string, extra: Partial<Node> = {}): Node => ({ metadata: { name, labels: { zone: 'a' } }, ...extra });

function pod(name: string, nodeName: string, hash: string, ready = true, extra: { deleting?: boolean; phase?: string; created?: number } = {}): Pod {
  return {
    metadata: {
      name, labels: { 'controller-revision-hash': hash }, creationTimestamp: t(extra.created ?? now - 60_000),
      ...(extra.deleting ? { deletionTimestamp: t(now) } : {}),
    },
    spec: { nodeName, containers: [] },
    status: { phase: extra.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t(now - 30_000) }] },
  };
}

const byNode = (pods: Pod[]) => {
  const m = new Map<string, Pod[]>();
  for (const p of pods) m.set(p.spec!.nodeName!, [...(m.get(p.spec!.nodeName!) ?? []), p]);
  return m;
};

describe('daemon pods', () => {
  it('get the daemon tolerations, replacing equal ones, and network-unavailable with hostNetwork', () => {
    const spec = { hostNetwork: true, containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] };
    addDaemonTolerations(spec);
    expect(spec.tolerations).toHaveLength(7);
    expect(spec.tolerations[0]).toEqual({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
    expect(spec.tolerations.map((x) => x.key)).toContain('node.kubernetes.io/network-unavailable');
  });

  it('are pinned to their node by a metadata.name affinity that replaces the required terms', () => {
    const a = withNodeNameAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } }, 'n1');
    expect(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]);
    expect(targetNodeName({ spec: { containers: [], affinity: a } })).toBe('n1');
    expect(targetNodeName({ spec: { containers: [], nodeName: 'n2', affinity: a } })).toBe('n2');
  });

  it('carry the revision hash, and the template generation when the DaemonSet has it', () => {
    const d = ds();
    d.metadata!.annotations = { 'deprecated.daemonset.template.generation': '3' };
    expect(daemonPodTemplate(d, 'abc').metadata?.labels).toEqual({ app: 'd', 'controller-revision-hash': 'abc', 'pod-template-generation': '3' });
    expect(d.spec?.template.spec?.tolerations).toBeUndefined(); // the DaemonSet itself is not touched
  });
});

describe('node eligibility', () => {
  const fit = (d: DaemonSet, n: Node) => nodeShouldRunDaemonPod(n, predicatePod(d));
  it('follows nodeSelector and node affinity', () => {
    expect(fit(ds(), node('n'))).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const selective = ds({ template: { spec: { nodeSelector: { zone: 'b' }, containers: [] } } });
    expect(fit(selective, node('n'))).toEqual({ shouldRun: false, shouldContinueRunning: false });
  });

  it('keeps a pod through NoSchedule but not an untolerated NoExecute; tolerates node problems', () => {
    expect(fit(ds(), node('n', { spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] } }))).toEqual({ shouldRun: false, shouldContinueRunning: true });
    expect(fit(ds(), node('n', { spec: { taints: [{ key: 'x', effect: 'NoExecute' }] } }))).toEqual({ shouldRun: false, shouldContinueRunning: false });
    const problems = node('n', { spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } });
    expect(fit(ds(), problems).shouldRun).toBe(true);
  });
});

const everywhere = () => ({ shouldRun: true, shouldContinueRunning: true });

describe('manage', () => {
  const base = { fit: everywhere, hash: 'new', surge: false, minReadySeconds: 0, now, mayDeleteFailed: () => true };
  it('creates where missing, deletes duplicates but the oldest, failed and finished pods', () => {
    const pods = [
      pod('a1', 'a', 'new', true, { created: now - 2000 }), pod('a2', 'a', 'new', true, { created: now - 1000 }),
      pod('b1', 'b', 'new', false, { phase: 'Failed' }), pod('c1', 'c', 'new', true, { phase: 'Succeeded' }),
    ];
    const plan = planManage({ ...base, nodes: ['a', 'b', 'c', 'd'].map((n) => node(n)), nodeToPods: byNode(pods) });
    expect(plan.createOn).toEqual(['d']);
    expect(plan.deletePods.map((p) => p.metadata?.name).sort()).toEqual(['a2', 'b1', 'c1']);
    expect(plan.failedPods.map((p) => p.metadata?.name)).toEqual(['b1']);
  });

  it('waits for a terminating pod to go before replacing it, and deletes pods where they may not run', () => {
    const pods = [pod('a1', 'a', 'old', true, { deleting: true }), pod('b1', 'b', 'old')];
    const plan = planManage({ ...base, fit: (n) => ({ shouldRun: n.metadata?.name === 'a', shouldContinueRunning: n.metadata?.name === 'a' }), nodes: [node('a'), node('b')], nodeToPods: byNode(pods) });
    expect(plan.createOn).toEqual([]);
    expect(plan.deletePods.map((p) => p.metadata?.name)).toEqual(['b1']);
  });

  it('when surging keeps an old ready pod until the new one is available', () => {
    const pods = [pod('old', 'a', 'old', true, { created: now - 5000 }), pod('new', 'a', 'new', false)];
    expect(planManage({ ...base, surge: true, nodes: [node('a')], nodeToPods: byNode(pods) }).deletePods).toEqual([]);
    const ready = [pods[0], pod('new', 'a', 'new', true)];
    expect(planManage({ ...base, surge: true, nodes: [node('a')], nodeToPods: byNode(ready) }).deletePods.map((p) => p.metadata?.name)).toEqual(['old']);
  });
});

describe('rolling update', () => {
  it('scales percentages up and falls back to one unavailable', () => {
    expect(scaledValue('25%', 10, 1)).toBe(3);
    expect(rollingLimits(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }), 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(rollingLimits(ds(), 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  const input = (pods: Pod[], limits = { maxSurge: 0, maxUnavailable: 1 }) => ({
    nodes: ['a', 'b', 'c'].map((n) => node(n)), fit: everywhere, nodeToPods: byNode(pods), hash: 'new', generation: undefined, limits, minReadySeconds: 0, now,
  });

  it('deletes one available old pod at a time, and none while a node is unavailable', () => {
    const old = ['a', 'b', 'c'].map((n) => pod(`${n}-old`, n, 'old'));
    expect(planRollingUpdate(input(old)).deletePods.map((p) => p.metadata?.name)).toEqual(['a-old']);
    const midway = [pod('a-new', 'a', 'new', false), old[1], old[2]];
    expect(planRollingUpdate(input(midway)).deletePods).toEqual([]);
    expect(planRollingUpdate(input(midway, { maxSurge: 0, maxUnavailable: 2 })).deletePods.map((p) => p.metadata?.name)).toEqual(['b-old']);
  });

  it('replaces an unavailable old pod at once', () => {
    const pods = [pod('a-old', 'a', 'old', false), pod('b-new', 'b', 'new', false), pod('c-old', 'c', 'old')];
    expect(planRollingUpdate(input(pods)).deletePods.map((p) => p.metadata?.name)).toEqual(['a-old']);
  });

  it('with surge creates up to maxSurge new pods, then deletes old ones whose new pod is available', () => {
    const old = ['a', 'b', 'c'].map((n) => pod(`${n}-old`, n, 'old'));
    expect(planRollingUpdate(input(old, { maxSurge: 1, maxUnavailable: 0 }))).toEqual({ deletePods: [], createOn: ['a'] });
    const surging = [...old, pod('a-new', 'a', 'new', false)];
    expect(planRollingUpdate(input(surging, { maxSurge: 1, maxUnavailable: 0 }))).toEqual({ deletePods: [], createOn: [] });
    const done = [...old, pod('a-new', 'a', 'new', true)];
    const plan = planRollingUpdate(input(done, { maxSurge: 1, maxUnavailable: 0 }));
    expect(plan.deletePods.map((p) => p.metadata?.name)).toEqual(['a-old']);
    expect(plan.createOn).toEqual(['b']);
  });
});

describe('status', () => {
  it('counts desired, current, misscheduled, ready, available and updated per node', () => {
    const pods = [pod('a', 'a', 'new'), pod('b', 'b', 'old', false), pod('x', 'x', 'new')];
    const nodes = ['a', 'b', 'c', 'x'].map((n) => node(n));
    const fit = (n: Node) => ({ shouldRun: n.metadata?.name !== 'x', shouldContinueRunning: true });
    const s = computeStatus({ ds: ds(), nodes, fit, nodeToPods: byNode(pods), hash: 'new', generation: undefined, now, updateObservedGen: true });
    expect(s).toEqual({
      desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, numberAvailable: 1,
      numberUnavailable: 2, updatedNumberScheduled: 1, observedGeneration: 2,
    });
  });

  it('keeps the observed generation while creations or deletions are outstanding', () => {
    const d: DaemonSet = { ...ds(), status: { observedGeneration: 1, currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, collisionCount: 2 } };
    const s = computeStatus({ ds: d, nodes: [node('a')], fit: everywhere, nodeToPods: new Map(), hash: 'new', generation: undefined, now, updateObservedGen: false });
    expect(s).toMatchObject({ observedGeneration: 1, desiredNumberScheduled: 1, collisionCount: 2 });
  });
});
