// Deployment conditions and their reasons, worded as upstream's deploymentutil so that `kubectl
// describe` and `kubectl rollout status` read the same. A condition set again with the same
// status and reason is left alone (its times too); lastTransitionTime moves only when the status
// changes.
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1';
import type { ReplicaSetCondition } from 'kubernetes-types/apps/v1';

export const reasons = {
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  replicaSetCreateError: 'ReplicaSetCreateError',
  deploymentPaused: 'DeploymentPaused',
  deploymentResumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type ConditionType = 'Progressing' | 'Available' | 'ReplicaFailure';

export function newCondition(type: ConditionType, status: 'True' | 'False' | 'Unknown', reason: string, message: string, at: string): DeploymentCondition {
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: ConditionType): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function removeCondition(status: DeploymentStatus, type: ConditionType): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length > 0) status.conditions = rest;
  else delete status.conditions;
}

/** Sets (or replaces) a condition, as upstream's SetDeploymentCondition. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type as ConditionType);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

/** A ReplicaSet's ReplicaFailure, as the Deployment reports it. */
export function fromReplicaSetCondition(c: ReplicaSetCondition): DeploymentCondition {
  return {
    type: c.type, status: c.status, reason: c.reason, message: c.message,
    lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime,
  };
}
