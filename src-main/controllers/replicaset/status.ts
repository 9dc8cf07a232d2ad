// A ReplicaSet's status from the pods it owns (upstream's replica_set_utils.go calculateStatus):
// how many exist, carry all the template's labels, are ready, and have been ready for
// minReadySeconds; a ReplicaFailure condition while creating or deleting pods fails.
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isPodAvailable, isPodReady, podReadyCondition } from '../pod-state.ts';

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function hasLabels(pod: Pod, wanted: Record<string, string> | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(wanted ?? {})) if (labels[k] !== v) return false;
  return true;
}

/**
 * The status for `pods` (the active pods the ReplicaSet owns). A manageError sets ReplicaFailure
 * (FailedCreate when short of pods, FailedDelete when over); success clears it.
 */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: Error | undefined, now: number): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (hasLabels(pod, rs.spec?.template?.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions = rs.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : undefined;
    const cond: ReplicaSetCondition = {
      type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now),
      ...(reason ? { reason } : {}), message: manageError.message,
    };
    conditions = [...conditions, cond];
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    ...rs.status,
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** Whether writing `next` would change anything (the status subresource is not written then). */
export function statusUpToDate(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur: ReplicaSetStatus = rs.status ?? { replicas: 0 };
  return (cur.replicas ?? 0) === next.replicas
    && (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0)
    && (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0)
    && (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0)
    && (cur.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0)
    && JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? []);
}

/**
 * How long until the next ready pod becomes available (ready for minReadySeconds), so the
 * ReplicaSet looks again exactly then; undefined when no pod is waiting for that.
 */
export function nextAvailableInMs(rs: ReplicaSet, pods: readonly Pod[], now: number): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReady, now)) continue;
    const since = Date.parse(podReadyCondition(pod)?.lastTransitionTime ?? '');
    if (!Number.isFinite(since)) continue;
    const wait = since + minReady * 1000 - now;
    if (soonest === undefined || wait < soonest) soonest = wait;
  }
  return soonest === undefined ? undefined : Math.max(1, soonest);
}
