// Cluster events, as kube-scheduler's framework names them (framework.ClusterEvent): each plugin
// says which events can make a pod it rejected schedulable again, and the scheduling queue moves
// a parked pod back only when such an event happens — a node's heartbeat does not wake anything,
// a new node or a deleted pod does. Events are bits, so a pod's "what could help" is one number.
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1';

export const ClusterEvent = {
  NodeAdd: 1 << 0,
  NodeDelete: 1 << 1,
  /** metadata.labels changed. */
  NodeLabel: 1 << 2,
  /** spec.taints or spec.unschedulable changed (upstream counts cordon as a taint change). */
  NodeTaint: 1 << 3,
  /** status.allocatable changed. */
  NodeAllocatable: 1 << 4,
  /** A condition's type, status, reason or message changed (not just its heartbeat). */
  NodeCondition: 1 << 5,
  AssignedPodAdd: 1 << 6,
  /** An assigned pod's labels changed. */
  AssignedPodLabel: 1 << 7,
  /** An assigned pod left its node: deleted, finished, or began terminating. */
  AssignedPodDelete: 1 << 8,
} as const;

export type ClusterEventMask = number;

/** Every event: what a pod that no plugin rejected (e.g. "no nodes") waits for. */
export const AllClusterEvents: ClusterEventMask = (1 << 9) - 1;

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function conditionsKey(conditions: readonly NodeCondition[] | undefined): string {
  // lastHeartbeatTime changes with every status report and means nothing for scheduling.
  return (conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}/${c.message ?? ''}`).sort().join('\n');
}

/** What changed between two versions of a node, as upstream's nodeSchedulingPropertiesChange. */
export function nodeUpdateEvents(oldNode: Node, newNode: Node): ClusterEventMask {
  let events = 0;
  if (!sameJSON(oldNode.metadata?.labels, newNode.metadata?.labels)) events |= ClusterEvent.NodeLabel;
  if (!sameJSON(oldNode.spec?.taints, newNode.spec?.taints) || !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable) {
    events |= ClusterEvent.NodeTaint;
  }
  if (!sameJSON(oldNode.status?.allocatable, newNode.status?.allocatable)) events |= ClusterEvent.NodeAllocatable;
  if (conditionsKey(oldNode.status?.conditions) !== conditionsKey(newNode.status?.conditions)) events |= ClusterEvent.NodeCondition;
  return events;
}

/** What changed between two versions of an assigned pod that plugins care about. */
export function assignedPodUpdateEvents(oldPod: Pod, newPod: Pod): ClusterEventMask {
  let events = 0;
  if (!sameJSON(oldPod.metadata?.labels, newPod.metadata?.labels)) events |= ClusterEvent.AssignedPodLabel;
  if (!oldPod.metadata?.deletionTimestamp && newPod.metadata?.deletionTimestamp) events |= ClusterEvent.AssignedPodDelete;
  return events;
}
