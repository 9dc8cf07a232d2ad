// What a DaemonSet's ControllerRevision holds and which ones are kept (upstream's getPatch,
// Match, snapshot and cleanupHistory in daemon/update.go), as pure functions. A revision's data
// is a strategic merge patch that replaces spec.template — so `kubectl rollout undo` can patch
// the DaemonSet with it as it is — and its name is <ds>-<controller-revision-hash>.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1';
import { canonicalJSON, computeHash } from '../deployment/template.ts';
import { newControllerRef } from '../controller-ref.ts';
import { controllerRevisionHashLabel } from './daemon-pod.ts';
import { daemonSetKind } from './sync-nodes.ts';

export const defaultRevisionHistoryLimit = 10;

export interface RevisionPatch {
  spec: { template: Record<string, unknown> };
}

/** getPatch: the template, marked to replace whatever template the DaemonSet has. */
export function revisionPatch(ds: DaemonSet): RevisionPatch {
  return { spec: { template: { ...ds.spec?.template, $patch: 'replace' } } };
}

// Revisions are immutable in what they hold, and the informer replaces an object when it
// changes: their canonical data can be computed once per object.
const canonicalData = new WeakMap<ControllerRevision, string>();

/** Match: whether the revision holds the DaemonSet's current template. */
export function revisionMatches(ds: DaemonSet, rev: ControllerRevision, wanted = canonicalJSON(revisionPatch(ds))): boolean {
  let data = canonicalData.get(rev);
  if (data === undefined) canonicalData.set(rev, (data = canonicalJSON(rev.data ?? {})));
  return data === wanted;
}

export function revisionHash(rev: ControllerRevision): string | undefined {
  return rev.metadata?.labels?.[controllerRevisionHashLabel];
}

export function maxRevision(revs: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revs) max = Math.max(max, r.revision ?? 0);
  return max;
}

/** The revisions holding the current template, and the others. */
export function splitHistory(ds: DaemonSet, revs: readonly ControllerRevision[]): { current: ControllerRevision[]; old: ControllerRevision[] } {
  const wanted = canonicalJSON(revisionPatch(ds));
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (const r of revs) (revisionMatches(ds, r, wanted) ? current : old).push(r);
  return { current, old };
}

/** dedupCurHistories' choice: of equal revisions the one with the highest number stays. */
export function revisionToKeep(current: readonly ControllerRevision[]): ControllerRevision {
  let keep = current[0];
  for (const r of current) if ((r.revision ?? 0) >= (keep.revision ?? 0)) keep = r;
  return keep;
}

/** snapshot: a new revision of the DaemonSet's template, numbered `revision`. */
export function newRevision(ds: DaemonSet, revision: number): ControllerRevision {
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata!.name}-${hash}`,
      namespace: ds.metadata!.namespace,
      labels: { ...ds.spec?.template?.metadata?.labels, [controllerRevisionHashLabel]: hash },
      // kubectl rollout history shows the kubernetes.io/change-cause annotation from here
      ...(ds.metadata?.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, daemonSetKind)],
    },
    data: revisionPatch(ds),
    revision,
  };
}

/**
 * cleanupHistory: how many old revisions exceed revisionHistoryLimit counts them all, but only
 * those no pod runs any more are deleted, oldest first.
 */
export function revisionsToCleanUp(old: readonly ControllerRevision[], liveHashes: ReadonlySet<string>, limit = defaultRevisionHistoryLimit): ControllerRevision[] {
  let toKill = old.length - limit;
  if (toKill <= 0) return [];
  const out: ControllerRevision[] = [];
  for (const r of [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))) {
    if (toKill <= 0) break;
    const hash = revisionHash(r);
    if (hash && liveHashes.has(hash)) continue;
    out.push(r);
    toKill--;
  }
  return out;
}
