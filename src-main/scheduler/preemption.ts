// What upstream's DefaultPreemption PostFilter reports for a pod that fits nowhere. This
// scheduler does not preempt, so it only tells, node by node, what preemption would have found:
// - a node rejected for a reason no eviction can change (taint, node affinity, cordon, a request
//   larger than the node) → "Preemption is not helpful for scheduling";
// - a node without pods of lower priority → "No preemption victims found for incoming pod";
// - a node that would still be rejected with all lower-priority pods gone → that reason.
// Where removing lower-priority pods would make room, upstream would preempt and add no message;
// so does this (the pod waits instead — see README).
import { isStatus, type NodeFilter, type Status } from './framework.ts';
import { nodesAvailableMessage, type Diagnosis } from './fit-error.ts';
import { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';

export const reasonNotHelpful = 'Preemption is not helpful for scheduling';
export const reasonNoVictims = 'No preemption victims found for incoming pod';

const status = (code: Status['code'], reason: string): Status => ({ code, reasons: [reason], plugin: 'DefaultPreemption' });

/** The node as it would be with every pod of lower priority than the preemptor gone. */
function withoutLowerPriority(node: NodeInfo, priority: number): NodeInfo | undefined {
  const lower = [...node.pods.values()].filter((p) => p.priority < priority);
  if (lower.length === 0) return undefined;
  const copy = new NodeInfo(node.name);
  copy.setNode(node.node!);
  for (const p of node.pods.values()) if (p.priority >= priority) copy.addPod(p);
  return copy;
}

/**
 * The PostFilter message ("preemption: 0/3 nodes are available: ..."), or '' when preemption
 * would have found a node.
 */
export function preemptionMessage(pod: PodInfo, d: Diagnosis, allNodes: readonly NodeInfo[], filters: readonly NodeFilter[]): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const verdicts: Status[] = [];
  for (const node of allNodes) {
    const s = d.preFilterStatus ?? d.statuses.get(node) ?? d.absentStatus;
    if (!s || s.code === 'UnschedulableAndUnresolvable') {
      verdicts.push(status('UnschedulableAndUnresolvable', reasonNotHelpful));
      continue;
    }
    const trimmed = withoutLowerPriority(node, pod.priority);
    if (!trimmed) {
      verdicts.push(status('UnschedulableAndUnresolvable', reasonNoVictims));
      continue;
    }
    let still: Status | undefined;
    for (const f of filters) {
      const r = f(trimmed);
      if (isStatus(r)) {
        still = r;
        break;
      }
    }
    if (!still) return ''; // a candidate: upstream would evict there
    verdicts.push(still);
  }
  return `preemption: ${nodesAvailableMessage(allNodes.length, verdicts, verdicts.length)}`;
}
