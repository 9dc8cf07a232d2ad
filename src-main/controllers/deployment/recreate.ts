// The Recreate strategy (upstream's recreate.go): scale every old ReplicaSet to zero, wait until
// none of their pods is left running, and only then create (or scale up) the new ReplicaSet — so
// two versions never run side by side.
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { SyncContext } from './context.ts';
import { cleanupDeployment } from './history.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { syncRolloutStatus } from './progress.ts';
import { scaleTo } from './scale.ts';
import { activeReplicaSets, actualReplicaCount, deploymentComplete, desiredReplicas } from './util.ts';

/** The pods each ReplicaSet controls, by ReplicaSet uid. */
export type PodsOf = (rs: ReplicaSet) => readonly Pod[];

export async function rolloutRecreate(c: SyncContext, rsList: readonly ReplicaSet[], podsOf: PodsOf): Promise<void> {
  // No new ReplicaSet yet: creating it now would scale up before the old ones are down.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, false);
  let all = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) if ((await scaleTo(c, rs, 0)).scaled) scaledDown = true;
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podsOf)) return syncRolloutStatus(c, all, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(c, rsList, true));
    all = [...oldRSs, newRS];
  }
  await scaleTo(c, newRS!, desiredReplicas(c.d));
  if (deploymentComplete(c.d, c.d.status ?? {})) await cleanupDeployment(c, oldRSs);
  return syncRolloutStatus(c, all, newRS);
}

/** Whether any pod of an old ReplicaSet still exists and has not finished. */
function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podsOf: PodsOf): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const rs of oldRSs) {
    if (newRS && rs.metadata?.uid === newRS.metadata?.uid) continue;
    // Terminating pods count too: they may still be running until their grace period ends.
    if (podsOf(rs).some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
  }
  return false;
}
