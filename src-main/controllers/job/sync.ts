// syncJob: one level-triggered pass over a Job (upstream's syncJob). Count what finished, decide
// whether the Job has failed (backoff limit, active deadline) or succeeded (completions), start
// or stop pods towards parallelism, keep the Suspended condition, then track the counts and
// write the status.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { cloneJSON } from '../../util/clone-json.ts';
import { isPodReady } from '../pod-state.ts';
import type { ReconcileResult } from '../queue-controller.ts';
import { ensureCondition, findCondition, isJobFinished, jobMessages, jobReasons, metaTime, newCondition } from './conditions.ts';
import { completionIndex, isIndexedJob, succeededIndexes } from './indexed.ts';
import { deleteActivePods, isSuspended, manageJob } from './manage.ts';
import { hasTrackingFinalizer, isActive, isPodFailed, isTerminating } from './pods.ts';
import { StatusWriter } from './status-writer.ts';
import { recordJobEvent, requeueAfter, type JobDeps, type SyncJobContext } from './sync-context.ts';
import { trackJobStatusAndRemoveFinalizers } from './tracking.ts';

/** spec.managedBy names another controller (Kueue, a multi-cluster dispatcher): hands off. */
export function isManagedElsewhere(job: Job): boolean {
  const by = job.spec?.managedBy;
  return !!by && by !== 'kubernetes.io/job-controller';
}

/** Finished pods not counted yet: they still have the finalizer and are in no uncounted list. */
function newFinishedPods(ctx: SyncJobContext): { succeeded: Pod[]; failed: Pod[] } {
  const job = ctx.job;
  const completions = job.spec?.completions ?? 0;
  const valid = (p: Pod, uncounted: Set<string>): boolean => {
    const uid = p.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || ctx.expectedRemovedFinalizers.has(uid)) return false;
    if (!isIndexedJob(job)) return true;
    const ix = completionIndex(p);
    return ix >= 0 && ix < completions;
  };
  return {
    succeeded: ctx.pods.filter((p) => valid(p, ctx.uncounted.succeeded) && p.status?.phase === 'Succeeded'),
    failed: ctx.pods.filter((p) => valid(p, ctx.uncounted.failed) && isPodFailed(p, job)),
  };
}

/** restartPolicy OnFailure: container restarts count against the backoff limit. */
function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function activeDeadlineRemainingMs(job: Job, now: number): number | undefined {
  const ads = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime;
  if (ads == null || !start || isSuspended(job)) return undefined;
  return ads * 1000 - (now - Date.parse(start));
}

/** The condition the Job fails with now, if any; otherwise asks to look again at the deadline. */
function failureCondition(deps: JobDeps, ctx: SyncJobContext): JobCondition | undefined {
  const job = ctx.job;
  const now = deps.clock.now();
  const target = findCondition(job, 'FailureTarget');
  if (target?.status === 'True') return newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
  if (ctx.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, ctx.pods)) {
    return newCondition('FailureTarget', 'True', jobReasons.backoffLimitExceeded, jobMessages.backoffLimitExceeded, now);
  }
  const remaining = activeDeadlineRemainingMs(job, now);
  if (remaining !== undefined && remaining <= 0) {
    return newCondition('FailureTarget', 'True', jobReasons.deadlineExceeded, jobMessages.deadlineExceeded, now);
  }
  if (remaining !== undefined) requeueAfter(ctx, remaining);
  return undefined;
}

function newContext(deps: JobDeps, key: string, job: Job, pods: Pod[]): SyncJobContext {
  const activePods = pods.filter(isActive);
  const u = job.status?.uncountedTerminatedPods ?? {};
  return {
    key, job, pods, activePods,
    succeeded: 0, failed: 0,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isTerminating).length,
    prevSucceededIndexes: [], succeededIndexes: [],
    newBackoffRecord: deps.backoff.get(key),
    expectedRemovedFinalizers: deps.finalizers.expected(key),
    uncounted: { succeeded: new Set(u.succeeded ?? []), failed: new Set(u.failed ?? []) },
  };
}

/** Suspended / resumed: the condition, its event, and a fresh start time on resume. */
function syncSuspendedCondition(deps: JobDeps, ctx: SyncJobContext): void {
  const job = ctx.job;
  const status = job.status!;
  const conditions = (status.conditions ??= []);
  const now = deps.clock.now();
  if (isSuspended(job)) {
    if (ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) recordJobEvent(deps, job, 'Normal', 'Suspended', 'Job suspended');
  } else if (ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
    recordJobEvent(deps, job, 'Normal', 'Resumed', 'Job resumed');
    // activeDeadlineSeconds counts time continuously active: a resumed Job starts again.
    status.startTime = metaTime(now);
  }
}

/**
 * Syncs one Job. `cached` is the informer's copy; `pods` are the pods it controls (already
 * claimed); `satisfied` tells whether earlier creations and deletions have all been seen.
 */
export async function syncJob(deps: JobDeps, key: string, cached: Job, pods: Pod[], satisfied: boolean): Promise<ReconcileResult> {
  if (isManagedElsewhere(cached)) return;
  if (isJobFinished(cached)) {
    deps.backoff.remove(key);
    return;
  }
  const job = cloneJSON(cached);
  const status = (job.status ??= {});
  status.uncountedTerminatedPods ??= {};
  const ctx = newContext(deps, key, job, pods);
  const fresh = newFinishedPods(ctx);
  ctx.succeeded = (status.succeeded ?? 0) + fresh.succeeded.length + ctx.uncounted.succeeded.size;
  ctx.failed = (status.failed ?? 0) + fresh.failed.length + ctx.uncounted.failed.size;
  if (!status.startTime && !isSuspended(job)) status.startTime = metaTime(deps.clock.now());
  ctx.newBackoffRecord = deps.backoff.next(key, fresh.succeeded, fresh.failed);

  const metCondition = findCondition(job, 'SuccessCriteriaMet');
  ctx.finishedCondition = metCondition?.status === 'True' ? metCondition : failureCondition(deps, ctx);
  if (isIndexedJob(job)) {
    const { previous, current } = succeededIndexes(job, pods);
    ctx.prevSucceededIndexes = previous;
    ctx.succeededIndexes = current;
    ctx.succeeded = current.reduce((n, [a, b]) => n + b - a + 1, 0);
  }

  let active = ctx.activePods.length;
  let manageError: unknown;
  if (ctx.finishedCondition) {
    const r = await deleteActivePods(deps, job, ctx.activePods);
    // Not finished while pods may remain that the cache has not shown yet.
    if (r.deleted !== active || !satisfied) ctx.finishedCondition = undefined;
    active -= r.deleted;
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata?.deletionTimestamp) {
      const r = await manageJob(deps, ctx);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const completions = job.spec?.completions;
    const complete = completions == null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
    if (complete) {
      ctx.finishedCondition = newCondition('SuccessCriteriaMet', 'True', jobReasons.completionsReached, jobMessages.completionsReached, deps.clock.now());
    } else if (managed) {
      syncSuspendedCondition(deps, ctx);
    }
  }
  status.active = active;
  status.ready = ctx.ready;
  status.terminating = ctx.terminating;
  await trackJobStatusAndRemoveFinalizers(deps, ctx, new StatusWriter(deps, cached));
  if (manageError) throw manageError;
  return ctx.requeueAfterMs === undefined ? undefined : { requeueAfterMs: ctx.requeueAfterMs };
}
