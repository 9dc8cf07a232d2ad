// A DaemonSet's status as upstream's updateDaemonSetStatus counts it, node by node: desired
// (nodes that should run a pod), current (those that do), misscheduled (pods on nodes that
// should not run one), ready / available / updated by each node's oldest pod. `kubectl rollout
// status ds/x` reads updatedNumberScheduled and numberAvailable against desiredNumberScheduled,
// once observedGeneration has caught up.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isPodAvailable, isPodReady } from '../pod-state.ts';
import { compareDaemonPods, isPodUpdated } from './daemon-pod.ts';
import type { NodeFit } from './eligibility.ts';

export interface StatusInput {
  ds: DaemonSet;
  nodes: readonly Node[];
  fit: (node: Node) => NodeFit;
  /** Pods by target node, finished pods being deleted left out. */
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  generation: string | undefined;
  now: number;
  /** False while creations or deletions are outstanding: that generation is not processed yet. */
  updateObservedGen: boolean;
}

export function computeStatus(input: StatusInput): DaemonSetStatus {
  const minReadySeconds = input.ds.spec?.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of input.nodes) {
    const pods = input.nodeToPods.get(node.metadata!.name!) ?? [];
    if (!input.fit(node).shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(compareDaemonPods)[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, input.now)) available++;
    }
    if (isPodUpdated(pod, input.hash, input.generation)) updated++;
  }
  const old = input.ds.status;
  return {
    ...(old?.collisionCount !== undefined ? { collisionCount: old.collisionCount } : {}),
    ...(old?.conditions ? { conditions: old.conditions } : {}),
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    numberUnavailable: desired - available,
    updatedNumberScheduled: updated,
    observedGeneration: input.updateObservedGen ? input.ds.metadata?.generation : old?.observedGeneration,
  };
}

const counted = [
  'currentNumberScheduled', 'desiredNumberScheduled', 'numberMisscheduled', 'numberReady', 'numberAvailable',
  'numberUnavailable', 'updatedNumberScheduled', 'observedGeneration', 'collisionCount',
] as const;

/** Whether writing `next` would change anything (absent counts are 0, as the API omits zeros). */
export function statusEqual(a: DaemonSetStatus | undefined, b: DaemonSetStatus): boolean {
  return counted.every((k) => (a?.[k] ?? 0) === (b[k] ?? 0));
}
