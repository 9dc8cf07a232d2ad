// Which nodes a DaemonSet wants a pod on (upstream's NodeShouldRunDaemonPod): the template's
// nodeName if it has one, its nodeSelector and required node affinity, and the node's taints
// against the template's tolerations plus the daemon ones. A node whose NoSchedule taint is not
// tolerated gets no new pod but keeps a running one; an untolerated NoExecute taint removes it.
import type { Node, Pod, PodSpec } from 'kubernetes-types/core/v1';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import { podMatchesNodeRequirements } from '../../scheduler/corev1/node-affinity.ts';
import { findUntoleratedTaint } from '../../scheduler/corev1/taints.ts';
import { addDaemonTolerations } from './daemon-pod.ts';

export interface NodeFit {
  /** A daemon pod should be created here if there is none. */
  shouldRun: boolean;
  /** A daemon pod already here may stay. */
  shouldContinueRunning: boolean;
}

/** The pod the predicates look at: the template, daemon tolerations added (upstream's NewPod). */
export function predicatePod(ds: DaemonSet): Pod {
  const spec: PodSpec = { ...(ds.spec?.template?.spec ?? { containers: [] }) };
  addDaemonTolerations(spec);
  return { metadata: ds.spec?.template?.metadata, spec };
}

export function nodeShouldRunDaemonPod(node: Node, pod: Pod): NodeFit {
  const wantedName = pod.spec?.nodeName;
  if ((wantedName && wantedName !== node.metadata?.name) || !podMatchesNodeRequirements(pod, node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const taints = node.spec?.taints;
  const tolerations = pod.spec?.tolerations;
  if (!findUntoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute'])) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, ['NoExecute']) };
}
