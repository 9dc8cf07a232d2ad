// PodTopologySpread: DoNotSchedule constraints filter out nodes where placing the pod would make
// the skew (matching pods in the node's domain + the pod − the least populated domain) exceed
// maxSkew; ScheduleAnyway constraints — and, for a pod without constraints, the system defaults
// that spread a controller's replicas over nodes and zones — score nodes with fewer matching
// pods in their domains higher.
import { ClusterEvent } from '../cluster-events.ts';
import {
  Skip, maxNodeScore, unresolvable, unschedulable, type CycleContext, type FilterPlugin, type NodeFilter,
  type NodeScorer, type ScorePlugin,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';
import type { SchedulerCache } from '../cache.ts';
import {
  defaultConstraints, hasAllKeys, labelHostname, nodeIncluded, podConstraints, type SpreadConstraint,
} from './spread-constraints.ts';

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;

/** Matching pods per domain (topology value) of one constraint, over the nodes that count. */
function domainCounts(c: SpreadConstraint, all: readonly SpreadConstraint[], pod: PodInfo, cache: SchedulerCache): Map<string, number> {
  const counts = new Map<string, number>();
  const eligible = (n: NodeInfo): boolean => hasAllKeys(all, n) && nodeIncluded(c, pod, n);
  for (const n of cache.nodeList()) if (eligible(n)) counts.set(n.labels[c.topologyKey], 0);
  for (const n of c.counter.nodes()) {
    const v = n.labels[c.topologyKey];
    if (v !== undefined && counts.has(v) && eligible(n)) counts.set(v, counts.get(v)! + c.counter.count(n));
  }
  return counts;
}

function minMatch(counts: Map<string, number>, minDomains: number | undefined): number {
  if (minDomains !== undefined && counts.size < minDomains) return 0;
  let min = Infinity;
  for (const n of counts.values()) if (n < min) min = n;
  return min;
}

export class PodTopologySpread implements FilterPlugin, ScorePlugin {
  readonly name = 'PodTopologySpread';
  readonly weight = 2;
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.NodeDelete | ClusterEvent.NodeLabel | ClusterEvent.NodeTaint |
    ClusterEvent.AssignedPodAdd | ClusterEvent.AssignedPodLabel | ClusterEvent.AssignedPodDelete;

  /** Size of an array indexed by node index covering every node. */
  private nodeSlots(nodes: readonly NodeInfo[]): number {
    let max = 0;
    for (const n of nodes) if (n.index >= max) max = n.index + 1;
    return max;
  }

  preFilter({ pod, cache }: CycleContext): NodeFilter | typeof Skip {
    if (!pod.pod.spec?.topologySpreadConstraints?.length) return Skip;
    const constraints = podConstraints(cache, pod, 'DoNotSchedule');
    if (constraints.length === 0) return Skip;
    const states = constraints.map((c) => {
      const counts = domainCounts(c, constraints, pod, cache);
      return { c, counts, min: minMatch(counts, c.minDomains), self: c.counter.selfMatch ? 1 : 0 };
    });
    return (node) => {
      for (const { c, counts, min, self } of states) {
        const v = node.labels[c.topologyKey];
        if (v === undefined) return unresolvable(this.name, errReasonNodeLabelNotMatch);
        if ((counts.get(v) ?? 0) + self - min > c.maxSkew) return unschedulable(this.name, errReasonConstraintsNotMatch);
      }
      return undefined;
    };
  }

  preScore({ pod, cache }: CycleContext, nodes: readonly NodeInfo[]): NodeScorer | typeof Skip {
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    const constraints = own.length > 0 ? podConstraints(cache, pod, 'ScheduleAnyway') : defaultConstraints(cache, pod);
    if (constraints.length === 0 || nodes.length === 0) return Skip;
    // A pod's own constraints ignore nodes without all their keys; the defaults do not.
    const requireAll = own.length > 0;
    const ignored = new Set<NodeInfo>(requireAll ? nodes.filter((n) => !hasAllKeys(constraints, n)) : []);
    const weights: number[] = [];
    const pairCounts = constraints.map((c, i) => {
      if (c.topologyKey === labelHostname) {
        weights[i] = Math.log(nodes.length - ignored.size + 2);
        return undefined;
      }
      const counts = new Map<string, number>();
      for (const n of nodes) {
        const v = n.labels[c.topologyKey];
        if (!ignored.has(n) && v !== undefined) counts.set(v, 0);
      }
      for (const n of c.counter.nodes()) {
        const v = n.labels[c.topologyKey];
        if (v === undefined || !counts.has(v) || !nodeIncluded(c, pod, n) || (requireAll && !hasAllKeys(constraints, n))) continue;
        counts.set(v, counts.get(v)! + c.counter.count(n));
      }
      weights[i] = Math.log(counts.size + 2);
      return counts;
    });
    const hostCounts = constraints.map((c) => (c.topologyKey === labelHostname ? perNodeCounts(c, this.nodeSlots(nodes)) : undefined));
    return {
      score: (node) => {
        if (ignored.size > 0 && ignored.has(node)) return -1;
        let score = 0;
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i];
          const byHost = hostCounts[i];
          const v = byHost ? node.hostname : node.labels[c.topologyKey];
          if (v === undefined) continue;
          const cnt = byHost ? byHost[node.index] : pairCounts[i]!.get(v) ?? 0;
          score += cnt * weights[i] + (c.maxSkew - 1);
        }
        return Math.round(score);
      },
      normalize: normalizeSpread,
    };
  }
}

/** Matching pods per node, by node index, from the nodes that have any: no lookup per scored node. */
function perNodeCounts(c: SpreadConstraint, slots: number): Int32Array {
  const counts = new Int32Array(slots);
  for (const n of c.counter.nodes()) if (n.index >= 0 && n.index < slots) counts[n.index] = c.counter.count(n);
  return counts;
}

/** Fewer matching pods → higher score; ignored nodes (marked −1) get 0. */
function normalizeSpread(scores: number[]): void {
  let min = Infinity;
  let max = 0;
  for (const s of scores) {
    if (s < 0) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s < 0) scores[i] = 0;
    else if (max === 0) scores[i] = maxNodeScore;
    else scores[i] = Math.trunc((maxNodeScore * (max + min - s)) / max);
  }
}
