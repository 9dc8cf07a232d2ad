// NodeAffinity: spec.nodeSelector and requiredDuringScheduling node affinity filter the nodes;
// preferredDuringScheduling terms score them by the summed weight of the terms they match.
// Required terms that name nodes (matchFields metadata.name In, as DaemonSet pods have) narrow
// the cycle to those nodes at once, so such a pod is not checked against every node.
import type { NodeSelectorTerm, PreferredSchedulingTerm } from 'kubernetes-types/core/v1';
import { ClusterEvent } from '../cluster-events.ts';
import { matchesNodeSelectorTerm, podMatchesNodeRequirements } from '../corev1/node-affinity.ts';
import {
  Skip, defaultNormalizeScore, unresolvable, type CycleContext, type FilterPlugin, type NodeFilter, type NodeScorer,
  type PreFilterResult, type ScorePlugin, type Status,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';

export const errReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
export const errReasonAffinityConflict = 'pod affinity terms conflict';

/** The node names every term is limited to, or undefined when some term allows any node. */
function namedNodes(terms: readonly NodeSelectorTerm[]): Set<string> | undefined {
  let all: Set<string> | undefined;
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      names = names ? new Set([...names].filter((n) => s.has(n))) : s;
    }
    if (!names) return undefined; // terms are ORed: this one does not limit the nodes
    all = new Set([...(all ?? []), ...names]);
  }
  return all;
}

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeAffinity';
  readonly weight = 2;
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.NodeLabel;

  preFilter({ pod }: CycleContext): PreFilterResult | NodeFilter | Status | typeof Skip {
    const spec = pod.pod.spec;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !spec?.nodeSelector) return Skip;
    const filter: NodeFilter = (node) =>
      podMatchesNodeRequirements(pod.pod, node.node!) ? undefined : unresolvable(this.name, errReasonNodeAffinity);
    const names = required?.nodeSelectorTerms?.length ? namedNodes(required.nodeSelectorTerms) : undefined;
    if (names && names.size === 0) return unresolvable(this.name, errReasonAffinityConflict);
    return names ? { filter, nodeNames: names } : filter;
  }

  preScore({ pod }: CycleContext): NodeScorer | typeof Skip {
    const preferred: readonly PreferredSchedulingTerm[] = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const terms = preferred.filter((t) => t.weight !== 0);
    if (terms.length === 0) return Skip;
    return {
      score: (node: NodeInfo) => {
        let sum = 0;
        for (const t of terms) if (matchesNodeSelectorTerm(t.preference, node.node!)) sum += t.weight;
        return sum;
      },
      normalize: (scores) => defaultNormalizeScore(scores, false),
    };
  }
}
