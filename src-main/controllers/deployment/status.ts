// A Deployment's status from its ReplicaSets (upstream's calculateStatus): replicas counted from
// the ReplicaSets' status, updated ones from the new ReplicaSet, and the Available condition —
// true while at least desired - maxUnavailable replicas are available.
import type { DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import { newCondition, reasons, setCondition } from './conditions.ts';
import type { SyncContext } from './context.ts';
import { canonicalJSON } from './template.ts';
import { actualReplicaCount, availableReplicaCount, desiredReplicas, maxUnavailable, readyReplicaCount, replicaCount } from './util.ts';

export function calculateStatus(c: SyncContext, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const d = c.d;
  const available = availableReplicaCount(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: actualReplicaCount(all),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(all),
    availableReplicas: available,
    // more available than wanted (while scaling down) is not "negative unavailability"
    unavailableReplicas: Math.max(0, replicaCount(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((x) => ({ ...x }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', c.nowTime()));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', c.nowTime()));
  }
  return status;
}

/** Whether two statuses say the same (the status is not written when nothing changed). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  return canonicalJSON(withZeros(a)) === canonicalJSON(withZeros(b));
}

/** Absent counts are zero counts. */
function withZeros(s: DeploymentStatus | undefined): DeploymentStatus {
  return {
    replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0, observedGeneration: 0,
    ...s,
  };
}

/** Writes the calculated status when it differs (syncDeploymentStatus). */
export async function syncDeploymentStatus(c: SyncContext, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(c, all, newRS);
  if (sameStatus(c.d.status, status)) return;
  await c.writeStatus(status);
}
