// Rollout progress (upstream's progress.go): while a rollout runs, the Progressing condition is
// refreshed whenever pods are updated, become ready or available, or old ones go — and turns to
// ProgressDeadlineExceeded when nothing happened for progressDeadlineSeconds. A Deployment with
// no progress yet is looked at again exactly when its deadline would pass, on the clock.
import type { DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import { fromReplicaSetCondition, getCondition, newCondition, reasons, removeCondition, setCondition } from './conditions.ts';
import type { SyncContext } from './context.ts';
import { calculateStatus, sameStatus } from './status.ts';
import { deploymentComplete, deploymentProgressing, hasProgressDeadline } from './util.ts';

/** Whether the rollout has gone progressDeadlineSeconds without progress. */
export function deploymentTimedOut(c: SyncContext, status: DeploymentStatus): boolean {
  if (!hasProgressDeadline(c.d)) return false;
  const cond = getCondition(status, 'Progressing');
  if (!cond) return false;
  // a finished rollout that is merely resized again is not "stuck"
  if (cond.reason === reasons.newReplicaSetAvailable) return false;
  if (cond.reason === reasons.progressDeadlineExceeded) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + c.d.spec!.progressDeadlineSeconds! * 1000 < c.now();
}

function rsName(newRS: ReplicaSet | undefined, c: SyncContext): string {
  return newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${c.name}"`;
}

function progressingCondition(c: SyncContext, status: DeploymentStatus, newRS: ReplicaSet | undefined): void {
  const current = getCondition(c.d.status, 'Progressing');
  if (deploymentComplete(c.d, status)) {
    setCondition(status, newCondition('Progressing', 'True', reasons.newReplicaSetAvailable, `${rsName(newRS, c)} has successfully progressed.`, c.nowTime()));
  } else if (deploymentProgressing(c.d, status)) {
    // Unlike other conditions, a Progressing condition with the same reason still gets a new
    // lastUpdateTime: that time is what the deadline is counted from.
    const cond = newCondition('Progressing', 'True', reasons.replicaSetUpdated, `${rsName(newRS, c)} is progressing.`, c.nowTime());
    if (current) {
      if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, 'Progressing');
    }
    setCondition(status, cond);
  } else if (deploymentTimedOut(c, status)) {
    setCondition(status, newCondition('Progressing', 'False', reasons.progressDeadlineExceeded, `${rsName(newRS, c)} has timed out progressing.`, c.nowTime()));
  }
}

/** ReplicaFailure of the new ReplicaSet, else of an old one. */
function replicaFailures(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition[] {
  const failures = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((x) => x.type === 'ReplicaFailure').map(fromReplicaSetCondition);
  const own = failures(newRS);
  return own.length > 0 ? own : all.flatMap(failures);
}

/** Writes status with the Progressing and ReplicaFailure conditions of the rollout. */
export async function syncRolloutStatus(c: SyncContext, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(c, all, newRS);
  if (!hasProgressDeadline(c.d)) removeCondition(status, 'Progressing');
  const current = getCondition(c.d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === reasons.newReplicaSetAvailable;
  if (hasProgressDeadline(c.d) && !complete) progressingCondition(c, status, newRS);
  const failure = replicaFailures(all, newRS);
  if (failure.length > 0) setCondition(status, failure[0]);
  else removeCondition(status, 'ReplicaFailure');
  if (sameStatus(c.d.status, status)) {
    requeueStuckDeployment(c, status);
    return;
  }
  await c.writeStatus(status);
}

/** A rollout without progress is looked at again when its deadline passes (plus a second of skew). */
function requeueStuckDeployment(c: SyncContext, status: DeploymentStatus): void {
  const current = getCondition(c.d.status, 'Progressing');
  if (!hasProgressDeadline(c.d) || !current) return;
  if (deploymentComplete(c.d, status) || current.reason === reasons.progressDeadlineExceeded) return;
  const from = Date.parse(current.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return;
  const after = from + c.d.spec!.progressDeadlineSeconds! * 1000 - c.now();
  c.deps.requeueAfter(c.key, Math.max(0, after) + 1000);
}
