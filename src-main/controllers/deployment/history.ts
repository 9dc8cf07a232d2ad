// Revisions (upstream's deploymentutil annotations and cleanupDeployment): every ReplicaSet of a
// Deployment carries the revision it was last rolled out as; one rolled back to is given the next
// revision and remembers its earlier ones in revision-history. ReplicaSets also record the
// Deployment's replicas and max replicas at their last scaling, which is how a later scaling is
// recognised and shared out proportionally. Old ReplicaSets beyond revisionHistoryLimit, once
// scaled to zero, are deleted.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { isNotFound } from '../../client/api-error.ts';
import { gvr } from '../../client/resources.ts';
import type { SyncContext } from './context.ts';
import { byCreation, desiredReplicas, maxSurge, replicasOf } from './util.ts';

export const annotations = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
  /** The pre-apps/v1 rollback request (extensions/v1beta1 rollbackTo, kept as an annotation). */
  rollbackTo: 'deprecated.deployment.rollback.to',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
} as const;

/** Annotations of the Deployment that are not copied to its ReplicaSets (and back). */
const skipped = new Set<string>([
  annotations.lastApplied, annotations.revision, annotations.revisionHistory,
  annotations.desiredReplicas, annotations.maxReplicas, annotations.rollbackTo,
]);

/** Longest revision-history annotation kept, in characters. */
const maxRevisionHistoryChars = 2000;

/** The revision of a ReplicaSet (0 when it has none or it does not parse). */
export function revisionOf(rs: ReplicaSet | undefined): number {
  const v = rs?.metadata?.annotations?.[annotations.revision];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The revision before the latest (what a rollback without a revision goes to). */
export function lastRevision(rss: readonly (ReplicaSet | undefined)[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    if (!rs) continue;
    const v = revisionOf(rs);
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, annotations.desiredReplicas);
export const maxReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, annotations.maxReplicas);

function annotationsOf(rs: ReplicaSet): Record<string, string> {
  rs.metadata ??= {};
  return (rs.metadata.annotations ??= {});
}

/** Records desired and max replicas on rs; true when they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  if (a[annotations.desiredReplicas] === String(desired) && a[annotations.maxReplicas] === String(max)) return false;
  a[annotations.desiredReplicas] = String(desired);
  a[annotations.maxReplicas] = String(max);
  return true;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[annotations.desiredReplicas] !== String(desired) || a[annotations.maxReplicas] !== String(max);
}

/** The Deployment's own annotations (change-cause and the like) onto rs; true when any changed. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipped.has(k) || rs.metadata?.annotations?.[k] === v) continue;
    annotationsOf(rs)[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * The annotations of the new ReplicaSet (upstream's SetNewReplicaSetAnnotations): the
 * Deployment's annotations, the revision raised to newRevision, and — for a ReplicaSet that had
 * a revision already (a rollback to it) — the old revision appended to revision-history.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const oldText = a[annotations.revision];
  if (oldText !== undefined && oldText !== '' && !/^\d+$/.test(oldText)) return changed;
  const old = oldText ? Number(oldText) : 0;
  if (old < newRevision) {
    a[annotations.revision] = String(newRevision);
    changed = true;
    if (oldText !== undefined) appendRevisionHistory(a, oldText);
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

function appendRevisionHistory(a: Record<string, string>, oldRevision: string): void {
  const history = a[annotations.revisionHistory] ?? '';
  if (history === '') {
    a[annotations.revisionHistory] = oldRevision;
    return;
  }
  const revisions = history.split(',');
  let total = history.length + oldRevision.length + 1;
  let start = 0;
  while (total > maxRevisionHistoryChars && start < revisions.length) {
    total -= revisions[start].length + 1;
    start++;
  }
  if (total <= maxRevisionHistoryChars) a[annotations.revisionHistory] = [...revisions.slice(start), oldRevision].join(',');
}

/** The Deployment's annotations after a rollback to rs: its own skipped ones, the rest from rs. */
export function annotationsForRollback(d: Deployment, rs: ReplicaSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (skipped.has(k)) out[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!skipped.has(k)) out[k] = v;
  return out;
}

/** Oldest revision first; ties oldest first (ReplicaSetsByRevision). */
function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** Deletes the oldest scaled-down ReplicaSets beyond spec.revisionHistoryLimit. */
export async function cleanupDeployment(c: SyncContext, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const limit = c.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  const oldestFirst = [...cleanable].sort(byRevision);
  for (const rs of oldestFirst.slice(0, diff)) {
    // Only ReplicaSets that are done: no pods, none wanted, and their controller caught up.
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
    if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await c.client.delete(gvr.replicaSets, rs.metadata?.namespace, rs.metadata!.name!, { preconditions: { uid: rs.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
