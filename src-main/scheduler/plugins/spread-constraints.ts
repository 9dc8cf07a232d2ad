// The topology spread constraints PodTopologySpread works with: the pod's own
// (spec.topologySpreadConstraints, matchLabelKeys joined to the selector), or — for a pod without
// any — upstream's system defaults, which spread a controller's replicas by hostname (maxSkew 3)
// and zone (maxSkew 5). Upstream selects "the same replicas" by the selectors of the pod's
// ReplicaSet, StatefulSet, ReplicationController and Services; here they are the pods with the
// same controller, counted per node by the cache as pods come and go.
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { SchedulerCache } from '../cache.ts';
import { podMatchesNodeRequirements } from '../corev1/node-affinity.ts';
import { findUntoleratedTaint } from '../corev1/taints.ts';
import { matchesSelector } from '../../client/label-selector.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

export const labelHostname = 'kubernetes.io/hostname';
export const labelZone = 'topology.kubernetes.io/zone';

/** Counts the pods a constraint selects, per node. */
export interface SpreadCounter {
  count(node: NodeInfo): number;
  /** The nodes with a count above zero. */
  nodes(): Iterable<NodeInfo>;
  /** Whether the incoming pod is one of the pods counted. */
  selfMatch: boolean;
}

export interface SpreadConstraint {
  topologyKey: string;
  maxSkew: number;
  minDomains?: number;
  /** nodeAffinityPolicy Honor (default): only nodes the pod could go to by its node affinity count. */
  honorNodeAffinity: boolean;
  /** nodeTaintsPolicy Honor: only nodes whose taints the pod tolerates count (default Ignore). */
  honorTaints: boolean;
  counter: SpreadCounter;
}

/** Pods of the namespace matching a selector (not terminating), counted per node in one walk. */
function selectorCounter(cache: SchedulerCache, pod: PodInfo, selector: LabelSelector | undefined): SpreadCounter {
  const perNode = new Map<NodeInfo, number>();
  for (const st of cache.podsInNamespace(pod.namespace)) {
    if (st.info.terminating || !matchesSelector(selector, st.info.labels)) continue;
    perNode.set(st.node, (perNode.get(st.node) ?? 0) + 1);
  }
  return { count: (n) => perNode.get(n) ?? 0, nodes: () => perNode.keys(), selfMatch: matchesSelector(selector, pod.labels) };
}

function ownerCounter(cache: SchedulerCache, uid: string): SpreadCounter {
  return { count: (n) => n.spreadCounts.get(uid) ?? 0, nodes: () => cache.nodesOfOwner(uid), selfMatch: true };
}

function withMatchLabelKeys(c: TopologySpreadConstraint, labels: Readonly<Record<string, string>>): LabelSelector | undefined {
  const keys = (c.matchLabelKeys ?? []).filter((k) => k in labels);
  if (keys.length === 0 || !c.labelSelector) return c.labelSelector;
  return {
    ...c.labelSelector,
    matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...keys.map((key) => ({ key, operator: 'In', values: [labels[key]] }))],
  };
}

/** The pod's own constraints with the given whenUnsatisfiable. */
export function podConstraints(cache: SchedulerCache, pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => ({
      topologyKey: c.topologyKey,
      maxSkew: c.maxSkew,
      minDomains: c.minDomains,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
      counter: selectorCounter(cache, pod, withMatchLabelKeys(c, pod.labels)),
    }));
}

/** The system default constraints for a pod without its own, when it has a spreading controller. */
export function defaultConstraints(cache: SchedulerCache, pod: PodInfo): SpreadConstraint[] {
  if (!pod.spreadOwner) return [];
  const counter = ownerCounter(cache, pod.spreadOwner);
  return [
    { topologyKey: labelHostname, maxSkew: 3, honorNodeAffinity: true, honorTaints: false, counter },
    { topologyKey: labelZone, maxSkew: 5, honorNodeAffinity: true, honorTaints: false, counter },
  ];
}

/** Whether pods on the node count for the constraint (matchNodeInclusionPolicies). */
export function nodeIncluded(c: SpreadConstraint, pod: PodInfo, node: NodeInfo): boolean {
  if (!node.node) return false;
  if (c.honorNodeAffinity && !podMatchesNodeRequirements(pod.pod, node.node)) return false;
  if (c.honorTaints && findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

export function hasAllKeys(constraints: readonly SpreadConstraint[], node: NodeInfo): boolean {
  return constraints.every((c) => node.labels[c.topologyKey] !== undefined);
}
