// The RollingUpdate strategy (upstream's rolling.go): grow the new ReplicaSet while the total
// stays within desired + maxSurge, shrink old ones while at least desired - maxUnavailable pods
// stay available — unhealthy old pods first, since removing them costs no availability.
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { SyncContext } from './context.ts';
import { cleanupDeployment } from './history.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { syncRolloutStatus } from './progress.ts';
import { scaleTo } from './scale.ts';
import {
  activeReplicaSets, byCreation, deploymentComplete, desiredReplicas, maxUnavailable,
  newRSNewReplicas, replicaCount, replicasOf,
} from './util.ts';

export async function rolloutRolling(c: SyncContext, rsList: readonly ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true);
  const all = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(c, all, newRS!)) return syncRolloutStatus(c, all, newRS);
  if (await reconcileOldReplicaSets(c, all, activeReplicaSets(oldRSs), newRS!)) return syncRolloutStatus(c, all, newRS);
  if (deploymentComplete(c.d, c.d.status ?? {})) await cleanupDeployment(c, oldRSs);
  return syncRolloutStatus(c, all, newRS);
}

async function reconcileNewReplicaSet(c: SyncContext, all: readonly ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const desired = desiredReplicas(c.d);
  if (replicasOf(newRS) === desired) return false;
  if (replicasOf(newRS) > desired) return (await scaleTo(c, newRS, desired)).scaled;
  return (await scaleTo(c, newRS, newRSNewReplicas(c.d, all, newRS))).scaled;
}

async function reconcileOldReplicaSets(c: SyncContext, all: readonly ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false; // nothing left to scale down
  const minAvailable = desiredReplicas(c.d) - maxUnavailable(c.d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  // What may go: everything beyond minAvailable, less the new pods that are not available yet
  // (counting them as available would let a stuck new ReplicaSet eat the old one).
  const maxScaledDown = replicaCount(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(c, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSets(c, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

/** Scales old ReplicaSets down by their unavailable pods, oldest first, up to max in all. */
async function cleanupUnhealthyReplicas(c: SyncContext, oldRSs: ReplicaSet[], max: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length && total < max; i++) {
    const rs = sorted[i];
    const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const count = Math.min(max - total, unhealthy);
    sorted[i] = (await scaleTo(c, rs, replicasOf(rs) - count)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** Scales old ReplicaSets down, oldest first, while more than minAvailable pods are available. */
async function scaleDownOldReplicaSets(c: SyncContext, all: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): Promise<number> {
  const minAvailable = desiredReplicas(c.d) - maxUnavailable(c.d);
  // A ReplicaSet just scaled down may still report the pods it is about to delete as available:
  // count at most what it is scaled to, so that a status that lags behind cannot let two scale-
  // downs in a row take availability below the minimum.
  const available = all.reduce((n, rs) => n + Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)), 0);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), budget - total);
    await scaleTo(c, rs, replicasOf(rs) - count);
    total += count;
  }
  return total;
}
