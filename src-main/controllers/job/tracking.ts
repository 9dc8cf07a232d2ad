// Job tracking with finalizers (upstream's trackJobStatusAndRemoveFinalizers). A finished pod
// is counted in three steps, each durable before the next: its uid goes into
// status.uncountedTerminatedPods, then its batch.kubernetes.io/job-tracking finalizer is
// removed, then the uid moves from the uncounted list into status.succeeded / status.failed.
// A crash between steps loses nothing and counts nothing twice, and the counts survive the
// pods' deletion. The Job finishes only once nothing is left uncounted.
import type { JobCondition, JobStatus, UncountedTerminatedPods } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import { gvr } from '../../client/resources.ts';
import { ensureCondition, findCondition, newCondition, type JobConditionType } from './conditions.ts';
import { completionIndex, formatIntervals, intervalsHas, intervalsTotal, isIndexedJob, withIndexes } from './indexed.ts';
import { hasTrackingFinalizer, isPodFailed, removeTrackingFinalizerPatch } from './pods.ts';
import type { StatusWriter } from './status-writer.ts';
import { recordJobEvent, type JobDeps, type SyncJobContext } from './sync-context.ts';

/** Uids held in the uncounted lists at most, which keeps the status below ~20 KB. */
export const maxUncountedPods = 500;

function isSuccessType(c: JobCondition | undefined): boolean {
  return c?.type === 'SuccessCriteriaMet' || c?.type === 'Complete';
}

/** Moves the uids whose pods have lost their finalizer (or are gone) into the counters. */
function countUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): void {
  const u = (status.uncountedTerminatedPods ??= {});
  const succeeded = (u.succeeded ?? []).filter((uid) => withFinalizer.has(uid));
  const failed = (u.failed ?? []).filter((uid) => withFinalizer.has(uid));
  status.succeeded = (status.succeeded ?? 0) + (u.succeeded?.length ?? 0) - succeeded.length;
  status.failed = (status.failed ?? 0) + (u.failed?.length ?? 0) - failed.length;
  u.succeeded = succeeded;
  u.failed = failed;
}

function canRemoveFinalizer(ctx: SyncJobContext, pod: Pod, failed: boolean): boolean {
  return !!ctx.job.metadata?.deletionTimestamp || !!ctx.finishedCondition || pod.status?.phase === 'Succeeded' || failed;
}

interface Collected {
  toRemove: Pod[];
  newSucceededIndexes: number[];
  reachedMax: boolean;
}

/** Adds the finished pods not yet seen to the uncounted lists; picks the finalizers to remove. */
function collectFinished(ctx: SyncJobContext, uncounted: UncountedTerminatedPods): Collected {
  const job = ctx.job;
  const indexed = isIndexedJob(job);
  const completions = job.spec?.completions ?? 0;
  const out: Collected = { toRemove: [], newSucceededIndexes: [], reachedMax: false };
  const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;
  for (const pod of pods) {
    const uid = pod.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(pod) || ctx.expectedRemovedFinalizers.has(uid)) continue; // counted in an earlier sync
    const failed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, failed)) continue;
    out.toRemove.push(pod);
    const ix = completionIndex(pod);
    if (pod.status?.phase === 'Succeeded' && !ctx.uncounted.failed.has(uid)) {
      if (indexed) {
        if (ix >= 0 && ix < completions && !intervalsHas(ctx.prevSucceededIndexes, ix)) out.newSucceededIndexes.push(ix);
      } else if (!ctx.uncounted.succeeded.has(uid)) {
        (uncounted.succeeded ??= []).push(uid);
      }
    } else if (failed || (ctx.finishedCondition && !isSuccessType(ctx.finishedCondition))) {
      // A Job that fails takes every pod still running with it: each counts as failed.
      if (!ctx.uncounted.failed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) (uncounted.failed ??= []).push(uid);
    }
    if (out.newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= maxUncountedPods) {
      // The rest waits for the next sync, which the status write itself triggers.
      out.reachedMax = true;
      break;
    }
  }
  return out;
}

/** Records the interim condition, and turns the finishing condition into the final one. */
function stageFinishedCondition(ctx: SyncJobContext, status: JobStatus, now: number): void {
  const c = ctx.finishedCondition;
  if (!c) return;
  const conditions = (status.conditions ??= []);
  if (c.type === 'FailureTarget') {
    conditions.push(c);
    ctx.finishedCondition = newCondition('Failed', 'True', c.reason ?? '', c.message ?? '', now);
  } else if (c.type === 'SuccessCriteriaMet') {
    if (findCondition(ctx.job, 'SuccessCriteriaMet')?.status !== 'True') conditions.push(c);
    ctx.finishedCondition = newCondition('Complete', 'True', c.reason ?? '', c.message ?? '', now);
  }
}

/** Removes the finalizers; returns the uids still holding one and the first error. */
async function removeFinalizers(deps: JobDeps, ctx: SyncJobContext, pods: Pod[], withFinalizer: Set<string>): Promise<unknown> {
  if (pods.length === 0) return undefined;
  deps.finalizers.expectRemoved(ctx.key, pods.map((p) => p.metadata?.uid ?? ''));
  let error: unknown;
  await Promise.all(pods.map(async (pod) => {
    const uid = pod.metadata?.uid ?? '';
    try {
      await deps.client.patch(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, removeTrackingFinalizerPatch, 'strategic');
    } catch (err) {
      // No update will come to show it: stop expecting one.
      deps.finalizers.observed(ctx.key, uid);
      if (!isNotFound(err)) {
        error ??= err;
        return;
      }
    }
    withFinalizer.delete(uid);
  }));
  return error;
}

/** Adds Complete or Failed once nothing is uncounted and no pod is still terminating. */
function enactJobFinished(ctx: SyncJobContext, status: JobStatus, now: number): boolean {
  const c = ctx.finishedCondition;
  if (!c) return false;
  const u = status.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
  if (ctx.terminating > 0) return false;
  ensureCondition((status.conditions ??= []), c.type as JobConditionType, 'True', c.reason ?? '', c.message ?? '', now);
  if (c.type === 'Complete') status.completionTime = c.lastTransitionTime;
  return true;
}

function recordJobFinished(deps: JobDeps, ctx: SyncJobContext): void {
  const job = ctx.job;
  const c = ctx.finishedCondition!;
  if (c.type === 'Complete') {
    const completions = job.spec?.completions;
    if (completions != null && (job.status?.succeeded ?? 0) > completions) {
      recordJobEvent(deps, job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    recordJobEvent(deps, job, 'Normal', 'Completed', 'Job completed');
  } else {
    recordJobEvent(deps, job, 'Warning', c.reason ?? 'Failed', c.message ?? '');
  }
}

export async function trackJobStatusAndRemoveFinalizers(deps: JobDeps, ctx: SyncJobContext, writer: StatusWriter): Promise<void> {
  const job = ctx.job;
  const status = (job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  const now = deps.clock.now();
  const withFinalizer = new Set<string>();
  for (const p of ctx.pods) {
    const uid = p.metadata?.uid ?? '';
    if (hasTrackingFinalizer(p) && !ctx.expectedRemovedFinalizers.has(uid)) withFinalizer.add(uid);
  }
  countUncounted(status, withFinalizer);
  const { toRemove, newSucceededIndexes, reachedMax } = collectFinished(ctx, uncounted);
  if (isIndexedJob(job)) {
    ctx.succeededIndexes = withIndexes(ctx.succeededIndexes, newSucceededIndexes);
    status.succeeded = intervalsTotal(ctx.succeededIndexes);
    status.completedIndexes = formatIntervals(ctx.succeededIndexes);
  }
  stageFinishedCondition(ctx, status, now);
  // Step 1: the uncounted uids (and the interim condition) are durable before any finalizer goes.
  if (await writer.flush(job)) deps.backoff.update(ctx.newBackoffRecord);
  // Step 2 and 3: finalizers off, counters up.
  const rmError = await removeFinalizers(deps, ctx, toRemove, withFinalizer);
  countUncounted(status, withFinalizer);
  if (rmError) {
    await writer.flush(job);
    throw rmError;
  }
  const finished = !reachedMax && enactJobFinished(ctx, status, now);
  await writer.flush(job);
  if (finished) recordJobFinished(deps, ctx);
}
