// Which daemon pods to create and delete so that each eligible node has one (upstream's
// manage / podsShouldBeOnNode): a pod for every node that should run one and has none; failed
// and finished pods deleted (so a fresh one follows); duplicates deleted but the oldest (or, when
// surging, the oldest old and oldest new while the new one is not yet available); every pod on a
// node that may no longer run it deleted; unbound pods meant for a node that is gone deleted.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isPodAvailable, isPodReady } from '../pod-state.ts';
import { compareDaemonPods, controllerRevisionHashLabel } from './daemon-pod.ts';
import type { NodeFit } from './eligibility.ts';

export interface ManageInput {
  nodes: readonly Node[];
  fit: (node: Node) => NodeFit;
  /** The DaemonSet's pods by target node, terminating ones included. */
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  surge: boolean;
  minReadySeconds: number;
  now: number;
  /** Whether a failed pod on this node may be deleted now (failed pods back off). */
  mayDeleteFailed: (nodeName: string) => boolean;
}

export interface ManagePlan {
  createOn: string[];
  deletePods: Pod[];
  /** Failed pods in deletePods, for the FailedDaemonPod event. */
  failedPods: Pod[];
}

export function planManage(input: ManageInput): ManagePlan {
  const plan: ManagePlan = { createOn: [], deletePods: [], failedPods: [] };
  for (const node of input.nodes) podsShouldBeOnNode(input, node, plan);
  const names = new Set(input.nodes.map((n) => n.metadata!.name!));
  for (const [nodeName, pods] of input.nodeToPods) {
    if (names.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName && !pod.metadata?.deletionTimestamp) plan.deletePods.push(pod);
  }
  return plan;
}

function podsShouldBeOnNode(input: ManageInput, node: Node, plan: ManagePlan): void {
  const nodeName = node.metadata!.name!;
  const { shouldRun, shouldContinueRunning } = input.fit(node);
  const pods = input.nodeToPods.get(nodeName) ?? [];
  if (shouldRun && pods.length === 0) {
    plan.createOn.push(nodeName);
    return;
  }
  if (!shouldContinueRunning) {
    for (const pod of pods) if (!pod.metadata?.deletionTimestamp) plan.deletePods.push(pod);
    return;
  }
  const running: Pod[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const phase = pod.status?.phase;
    if (phase === 'Failed') {
      if (!input.mayDeleteFailed(nodeName)) continue;
      plan.deletePods.push(pod);
      plan.failedPods.push(pod);
    } else if (phase === 'Succeeded') {
      plan.deletePods.push(pod);
    } else {
      running.push(pod);
    }
  }
  running.sort(compareDaemonPods);
  if (!input.surge) {
    plan.deletePods.push(...running.slice(1));
    return;
  }
  if (running.length === 0) {
    if (shouldRun) plan.createOn.push(nodeName); // surging keeps one pod that is not being deleted
    return;
  }
  // Two pods are allowed only while the oldest new one is not available and the oldest old one
  // is ready; every other pod goes.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata?.labels?.[controllerRevisionHashLabel] === input.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.deletePods.push(pod);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, input.minReadySeconds, input.now))) {
    plan.deletePods.push(oldestOld);
  }
}
