// Scaling a Deployment's ReplicaSets (upstream's scale, scaleReplicaSet): a plain change of
// spec.replicas goes to the one active ReplicaSet; during a rollout, when several are active, the
// change is shared out in proportion to their sizes — the largest gets the rounding leftovers —
// so that scaling mid-rollout neither restarts nor skews the rollout.
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { gvr } from '../../client/resources.ts';
import { cloneJSON } from '../../util/clone-json.ts';
import type { SyncContext } from './context.ts';
import { desiredReplicasAnnotation, maxReplicasAnnotation, replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './history.ts';
import {
  activeReplicaSets, bySizeNewer, bySizeOlder, desiredReplicas, findActiveOrLatest, isRollingUpdate, isSaturated,
  maxSurge, replicaCount, replicasOf,
} from './util.ts';

/**
 * Sets rs to newScale replicas (and the Deployment's current desired/max replicas in its
 * annotations). Records a ScalingReplicaSet event when the size changed.
 */
export async function scaleReplicaSet(c: SyncContext, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const oldScale = replicasOf(rs);
  const desired = desiredReplicas(c.d);
  const max = desired + maxSurge(c.d);
  const sizeChanged = oldScale !== newScale;
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const next = cloneJSON(rs);
  next.spec = { ...next.spec!, replicas: newScale };
  setReplicasAnnotations(next, desired, max);
  const written = c.wrote(await c.client.update<ReplicaSet>(gvr.replicaSets, next));
  if (sizeChanged) {
    const op = oldScale < newScale ? 'up' : 'down';
    c.event('Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${written.metadata?.name} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeChanged, rs: written };
}

/** scaleReplicaSet, only when the size differs (scaleReplicaSetAndRecordEvent). */
export async function scaleTo(c: SyncContext, rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(c, rs, newScale);
}

/** The share of `toAdd` replicas for rs, by its size relative to the Deployment's last max. */
function proportion(c: SyncContext, rs: ReplicaSet, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(c, rs);
  const allowed = toAdd - added;
  // never past what is left to hand out, in either direction
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(c: SyncContext, rs: ReplicaSet): number {
  const desired = desiredReplicas(c.d);
  if (desired === 0) return -replicasOf(rs);
  const maxNow = desired + maxSurge(c.d);
  let maxBefore = maxReplicasAnnotation(rs);
  if (!maxBefore) {
    // No record of the size it was scaled for (edited by hand, or scaled from 0): use the
    // Deployment's current size.
    maxBefore = c.d.status?.replicas ?? 0;
    if (maxBefore === 0) return 0;
  }
  const size = (replicasOf(rs) * maxNow) / maxBefore;
  return roundHalfAwayFromZero(size) - replicasOf(rs);
}

function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Scales the ReplicaSets after a change of spec.replicas (and while paused). */
export async function scale(c: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const desired = desiredReplicas(c.d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    if (replicasOf(single) !== desired) await scaleTo(c, single, desired);
    return;
  }
  // The new ReplicaSet has it all: the old ones go (adoption next to a saturated new one).
  if (isSaturated(c.d, newRS, desiredReplicasAnnotation)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleTo(c, old, 0);
    return;
  }
  if (!isRollingUpdate(c.d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(c.d) : 0;
  const toAdd = allowed - replicaCount(all);
  // Same-sized ReplicaSets: scaling up favours the newer, scaling down takes from the older.
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return replicasOf(rs);
    const p = proportion(c, rs, toAdd, added);
    added += p;
    return replicasOf(rs) + p;
  });
  if (toAdd !== 0 && all.length > 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  for (let i = 0; i < all.length; i++) await scaleReplicaSet(c, all[i], sizes[i]);
}
