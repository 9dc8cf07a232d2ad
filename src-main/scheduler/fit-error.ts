// Why a pod fits nowhere, worded as kube-scheduler's FitError.Error() does: "0/N nodes are
// available:", then the reasons of every node counted and sorted as strings ("1 node(s) had
// untolerated taint(s), 2 Insufficient cpu."), or the PreFilter message when a PreFilter rejected
// the pod, then what PostFilter (preemption) had to say.
import type { Status } from './framework.ts';
import type { NodeInfo } from './node-info.ts';

export const errNoNodesAvailable = 'no nodes available to schedule pods';

export interface Diagnosis {
  numAllNodes: number;
  /** The status of every node that was looked at and rejected. */
  statuses: Map<NodeInfo, Status>;
  /** The status of the nodes not looked at (a PreFilter narrowed the cycle to others). */
  absentStatus?: Status;
  /** A PreFilter rejected the pod for every node. */
  preFilterStatus?: Status;
  /** Names of the plugins that rejected the pod somewhere. */
  rejectors: Set<string>;
}

/** "0/3 nodes are available: 1 A, 2 B." for the statuses (and the absent nodes' status). */
export function nodesAvailableMessage(numAllNodes: number, statuses: Iterable<Status>, counted: number, absent?: Status): string {
  const reasons = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  if (absent && counted < numAllNodes) for (const r of absent.reasons) reasons.set(r, (reasons.get(r) ?? 0) + numAllNodes - counted);
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${numAllNodes} nodes are available${parts.length ? `: ${parts.join(', ')}` : ':'}.`;
}

export function fitErrorMessage(d: Diagnosis, postFilterMsg: string): string {
  let msg: string;
  if (d.preFilterStatus) msg = `0/${d.numAllNodes} nodes are available: ${d.preFilterStatus.reasons.join(', ')}.`;
  else msg = nodesAvailableMessage(d.numAllNodes, d.statuses.values(), d.statuses.size, d.absentStatus);
  return postFilterMsg ? `${msg} ${postFilterMsg}` : msg;
}
