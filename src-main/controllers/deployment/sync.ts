// The syncs of a Deployment that are not a rollout step (upstream's sync.go): a scaling event,
// a paused Deployment (scaling still applies, the rollout does not move), one being deleted
// (status only), and the Paused/Resumed Progressing condition that keeps a long pause from
// counting as a stalled rollout.
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { getCondition, newCondition, reasons, setCondition } from './conditions.ts';
import type { SyncContext } from './context.ts';
import { cleanupDeployment, desiredReplicasAnnotation } from './history.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { rollbackTo } from './rollback.ts';
import { scale } from './scale.ts';
import { syncDeploymentStatus } from './status.ts';
import { activeReplicaSets, desiredReplicas, hasProgressDeadline } from './util.ts';

/** Status only, for a Deployment being deleted. */
export async function syncStatusOnly(c: SyncContext, rsList: readonly ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  await syncDeploymentStatus(c, [...oldRSs, newRS], newRS);
}

/** Scaling (and, while paused, history cleanup) without moving the rollout. */
export async function sync(c: SyncContext, rsList: readonly ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  await scale(c, newRS, oldRSs);
  if (c.d.spec?.paused && rollbackTo(c.d) === undefined) await cleanupDeployment(c, oldRSs);
  await syncDeploymentStatus(c, [...oldRSs, newRS], newRS);
}

/** Whether spec.replicas changed since the active ReplicaSets were last scaled. */
export async function isScalingEvent(c: SyncContext, rsList: readonly ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  if (!newRS) return false;
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(c.d);
  });
}

/** Progressing=Unknown with DeploymentPaused / DeploymentResumed as the Deployment is paused or resumed. */
export async function checkPausedConditions(c: SyncContext): Promise<void> {
  if (!hasProgressDeadline(c.d)) return;
  const cond = getCondition(c.d.status, 'Progressing');
  // a reported deadline stays reported
  if (cond?.reason === reasons.progressDeadlineExceeded) return;
  const pausedShown = cond?.reason === reasons.deploymentPaused;
  const paused = !!c.d.spec?.paused;
  if (paused === pausedShown) return;
  const status = { ...c.d.status };
  const [reason, message] = paused ? [reasons.deploymentPaused, 'Deployment is paused'] : [reasons.deploymentResumed, 'Deployment is resumed'];
  setCondition(status, newCondition('Progressing', 'Unknown', reason, message, c.nowTime()));
  await c.writeStatus(status);
}
