// TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate
// them (including the not-ready / unreachable taints of a node that is not Ready, see
// effectiveTaints); among the nodes left, fewer untolerated PreferNoSchedule taints score higher.
import type { Toleration } from 'kubernetes-types/core/v1';
import { ClusterEvent } from '../cluster-events.ts';
import { findUntoleratedTaint, tolerates } from '../corev1/taints.ts';
import {
  Skip, defaultNormalizeScore, unresolvable, type CycleContext, type FilterPlugin, type NodeFilter, type NodeScorer,
  type ScorePlugin,
} from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';

/**
 * Upstream printed the taint ("untolerated taint {key: value}") until late 2025; since v1.35
 * (and the v1.34 patch releases after kubernetes/kubernetes#134740) the reason no longer shows
 * taint keys or values, which may be sensitive. Kubelab's API server says v1.36.
 */
export const errReasonUntoleratedTaint = 'node(s) had untolerated taint(s)';

const doNotSchedule = ['NoSchedule', 'NoExecute'];

function countUntoleratedPreferNoSchedule(node: NodeInfo, tolerations: readonly Toleration[]): number {
  let n = 0;
  for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerates(tolerations, taint)) n++;
  return n;
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = 'TaintToleration';
  readonly weight = 3;
  readonly events = ClusterEvent.NodeAdd | ClusterEvent.NodeTaint | ClusterEvent.NodeCondition;

  preFilter({ pod }: CycleContext): NodeFilter {
    const tolerations = pod.pod.spec?.tolerations;
    return (node) =>
      node.taints.length > 0 && findUntoleratedTaint(node.taints, tolerations, doNotSchedule) ? unresolvable(this.name, errReasonUntoleratedTaint) : undefined;
  }

  preScore({ pod }: CycleContext, nodes: readonly NodeInfo[]): NodeScorer | typeof Skip {
    // Without PreferNoSchedule taints every node scores the same: nothing to tell them apart.
    if (!nodes.some((n) => n.preferNoSchedule)) return Skip;
    const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return {
      score: (node) => countUntoleratedPreferNoSchedule(node, tolerations),
      normalize: (scores) => defaultNormalizeScore(scores, true),
    };
  }
}
