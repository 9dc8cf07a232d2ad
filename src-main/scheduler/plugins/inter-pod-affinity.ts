// InterPodAffinity: required pod affinity and anti-affinity, any topology key, both ways — the
// incoming pod's terms against the pods already placed, and the placed pods' anti-affinity
// against the incoming pod — and the preferred terms (and placed pods' terms towards it) as a
// score. PreFilter counts matching pods per topology pair (key=value) once; the per-node check is
// then a few map lookups. Only pods with terms pay for the walk over the pods they might select.
import { ClusterEvent } from '../cluster-events.ts';
import type { PodState, SchedulerCache } from '../cache.ts';
import {
  Skip, maxNodeScore, unresolvable, unschedulable, type CycleContext, type FilterPlugin, type NodeFilter,
  type NodeScorer, type ScorePlugin,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { termMatches, type AffinityTerm, type PodInfo } from '../pod-info.ts';

export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const errReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

/** "key\0value" → count (or score). */
type TopologyCounts = Map<string, number>;

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

function bump(m: TopologyCounts, node: NodeInfo, topologyKey: string, by: number): void {
  const v = node.labels[topologyKey];
  if (v === undefined) return;
  const k = pairKey(topologyKey, v);
  const n = (m.get(k) ?? 0) + by;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

/** The placed pods the incoming pod's terms can select: those of the terms' namespaces. */
function candidates(cache: SchedulerCache, terms: readonly AffinityTerm[]): Iterable<PodState> {
  if (terms.some((t) => t.namespaceSelector)) return cache.allPods();
  const namespaces = new Set<string>();
  for (const t of terms) for (const ns of t.namespaces) namespaces.add(ns);
  return (function* () {
    for (const ns of namespaces) yield* cache.podsInNamespace(ns);
  })();
}

const matchesAll = (terms: readonly AffinityTerm[], pod: PodInfo, cache: SchedulerCache): boolean =>
  terms.every((t) => termMatches(t, pod, cache.namespaceLabels));

interface RequiredCounts {
  affinity: TopologyCounts;
  antiAffinity: TopologyCounts;
  existingAntiAffinity: TopologyCounts;
}

function countRequired(pod: PodInfo, cache: SchedulerCache): RequiredCounts {
  const nsLabels = cache.namespaceLabels;
  const existingAntiAffinity: TopologyCounts = new Map();
  for (const st of cache.podsWithRequiredAntiAffinity()) {
    if (!st.node.node) continue;
    for (const t of st.info.requiredAntiAffinity) if (termMatches(t, pod, nsLabels)) bump(existingAntiAffinity, st.node, t.topologyKey, 1);
  }
  const affinity: TopologyCounts = new Map();
  const antiAffinity: TopologyCounts = new Map();
  const terms = [...pod.requiredAffinity, ...pod.requiredAntiAffinity];
  if (terms.length > 0) {
    for (const st of candidates(cache, terms)) {
      if (!st.node.node) continue;
      // Affinity counts a pod only when it matches every term (updateWithAffinityTerms).
      if (pod.requiredAffinity.length > 0 && matchesAll(pod.requiredAffinity, st.info, cache)) {
        for (const t of pod.requiredAffinity) bump(affinity, st.node, t.topologyKey, 1);
      }
      for (const t of pod.requiredAntiAffinity) if (termMatches(t, st.info, nsLabels)) bump(antiAffinity, st.node, t.topologyKey, 1);
    }
  }
  return { affinity, antiAffinity, existingAntiAffinity };
}

export class InterPodAffinity implements FilterPlugin, ScorePlugin {
  readonly name = 'InterPodAffinity';
  readonly weight = 2;
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.NodeLabel | ClusterEvent.AssignedPodAdd | ClusterEvent.AssignedPodLabel | ClusterEvent.AssignedPodDelete;
  /** hardPodAffinityWeight: how much placed pods' required affinity towards the pod counts in the score. */
  readonly hardPodAffinityWeight = 1;

  preFilter({ pod, cache }: CycleContext): NodeFilter | typeof Skip {
    if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0 && cache.podsWithRequiredAntiAffinity().size === 0) return Skip;
    const counts = countRequired(pod, cache);
    if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0 && counts.existingAntiAffinity.size === 0) return Skip;
    // The first pod of a group with affinity to itself would wait forever for a peer: it may
    // go anywhere with the topology labels when no pod matches yet and it matches its own terms.
    const firstOfGroup = counts.affinity.size === 0 && matchesAll(pod.requiredAffinity, pod, cache);
    const existing = [...counts.existingAntiAffinity.keys()].map((k) => k.split('\u0000') as [string, string]);
    return (node) => {
      if (!this.satisfiesAffinity(pod, node, counts.affinity, firstOfGroup)) return unresolvable(this.name, errReasonAffinityRulesNotMatch);
      for (const t of pod.requiredAntiAffinity) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined && (counts.antiAffinity.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return unschedulable(this.name, errReasonAntiAffinityRulesNotMatch);
      }
      for (const [key, value] of existing) {
        if (node.labels[key] === value) return unschedulable(this.name, errReasonExistingAntiAffinityRulesNotMatch);
      }
      return undefined;
    };
  }

  preScore({ pod, cache }: CycleContext): NodeScorer | typeof Skip {
    if (pod.preferredAffinity.length === 0 && pod.preferredAntiAffinity.length === 0 && cache.podsWithAffinity().size === 0) return Skip;
    const scores: TopologyCounts = new Map();
    const nsLabels = cache.namespaceLabels;
    const own = [...pod.preferredAffinity.map((t) => ({ t, sign: 1 })), ...pod.preferredAntiAffinity.map((t) => ({ t, sign: -1 }))];
    if (own.length > 0) {
      for (const st of candidates(cache, own.map((o) => o.t))) {
        if (!st.node.node) continue;
        for (const { t, sign } of own) if (termMatches(t, st.info, nsLabels)) bump(scores, st.node, t.topologyKey, sign * t.weight);
      }
    }
    // Placed pods' terms towards the incoming pod count too (symmetry).
    for (const st of cache.podsWithAffinity()) {
      if (!st.node.node || st.info.key === pod.key) continue;
      const e = st.info;
      for (const t of e.requiredAffinity) if (termMatches(t, pod, nsLabels)) bump(scores, st.node, t.topologyKey, this.hardPodAffinityWeight);
      for (const t of e.preferredAffinity) if (termMatches(t, pod, nsLabels)) bump(scores, st.node, t.topologyKey, t.weight);
      for (const t of e.preferredAntiAffinity) if (termMatches(t, pod, nsLabels)) bump(scores, st.node, t.topologyKey, -t.weight);
    }
    if (scores.size === 0) return Skip;
    const byKey = new Map<string, Map<string, number>>();
    for (const [k, n] of scores) {
      const [key, value] = k.split('\u0000');
      if (!byKey.has(key)) byKey.set(key, new Map());
      byKey.get(key)!.set(value, n);
    }
    return {
      score: (node) => {
        let sum = 0;
        for (const [key, values] of byKey) {
          const v = node.labels[key];
          if (v !== undefined) sum += values.get(v) ?? 0;
        }
        return sum;
      },
      normalize: minMaxNormalize,
    };
  }

  private satisfiesAffinity(pod: PodInfo, node: NodeInfo, counts: TopologyCounts, firstOfGroup: boolean): boolean {
    let podsExist = true;
    for (const t of pod.requiredAffinity) {
      const v = node.labels[t.topologyKey];
      if (v === undefined) return false; // every topology label must be on the node
      if ((counts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
    }
    return podsExist || firstOfGroup;
  }
}

/** InterPodAffinity's NormalizeScore: the lowest raw score becomes 0, the highest 100. */
function minMaxNormalize(scores: number[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((maxNodeScore * (scores[i] - min)) / diff) : 0;
}
