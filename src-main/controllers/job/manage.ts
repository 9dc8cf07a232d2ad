// manageJob: bring the number of active pods to what the Job wants — parallelism, bounded by
// the completions still missing, none while suspended — creating pods (after the failure
// backoff, in slow-start batches) or deleting the least useful ones.
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import { gvr } from '../../client/resources.ts';
import { cloneJSON } from '../../util/clone-json.ts';
import { newControllerRef } from '../controller-ref.ts';
import { isPodReady } from '../pod-state.ts';
import { podFromTemplate } from '../pod-template.ts';
import { remainingBackoffMs } from './backoff.ts';
import { addCompletionIndexEnv, completionIndexKey, duplicatedIndexPods, firstPendingIndexes, generateNameWithIndex, isIndexedJob } from './indexed.ts';
import { compareForDeletion, hasTrackingFinalizer, isTerminating, jobTrackingFinalizer, onlyReplaceFailedPods, removeTrackingFinalizerPatch } from './pods.ts';
import { recordJobEvent, requeueAfter, type JobDeps, type SyncJobContext } from './sync-context.ts';

/** At most this many pods are created or deleted in one sync, so one big Job cannot starve the rest. */
export const maxPodCreateDeletePerSync = 500;

export interface ManageResult {
  active: number;
  error?: unknown;
}

export function isSuspended(job: Job): boolean {
  return job.spec?.suspend === true;
}

/** How many pods should be running now. */
function wantedActive(job: Job, ctx: SyncJobContext, active: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  // Without completions, the first success ends the work: let what runs finish, start nothing.
  if (completions === undefined || completions === null) return ctx.succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(parallelism, completions - ctx.succeeded));
}

export async function manageJob(deps: JobDeps, ctx: SyncJobContext): Promise<ManageResult> {
  const job = ctx.job;
  let active = ctx.activePods.length;
  if (isSuspended(job)) return deleteSurplus(deps, ctx, activePodsForRemoval(job, ctx.activePods, active));
  const want = wantedActive(job, ctx, active);
  const surplus = activePodsForRemoval(job, ctx.activePods, Math.max(0, active - want)).slice(0, maxPodCreateDeletePerSync);
  // Deleting takes precedence: one sync either deletes or creates, never both.
  if (surplus.length > 0) return deleteSurplus(deps, ctx, surplus);
  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = want - terminating - active;
  if (diff <= 0) return { active };
  const wait = remainingBackoffMs(ctx.newBackoffRecord, deps.clock.now());
  if (wait > 0) {
    requeueAfter(ctx, wait);
    return { active };
  }
  diff = Math.min(diff, maxPodCreateDeletePerSync);
  let indexes: number[] = [];
  if (isIndexedJob(job)) {
    const busy = onlyReplaceFailedPods(job) ? [...ctx.activePods, ...ctx.pods.filter(isTerminating)] : ctx.activePods;
    indexes = firstPendingIndexes(job.spec?.completions ?? 0, ctx.succeededIndexes, busy, diff);
    diff = indexes.length;
  }
  if (diff === 0) return { active };
  const created = await createPods(deps, ctx, diff, indexes);
  return { active: active + created.count, error: created.error };
}

/**
 * The active pods to delete: for an Indexed Job those with a bad or repeated index first, then
 * the least advanced ones until at least rmAtLeast are chosen.
 */
export function activePodsForRemoval(job: Job, pods: readonly Pod[], rmAtLeast: number): Pod[] {
  let remove: Pod[] = [];
  let left: Pod[] = [...pods];
  if (isIndexedJob(job)) ({ remove, keep: left } = duplicatedIndexPods(pods, job.spec?.completions ?? 0));
  if (remove.length < rmAtLeast) {
    left.sort(compareForDeletion);
    remove = [...remove, ...left.slice(0, rmAtLeast - remove.length)];
  }
  return remove;
}

async function deleteSurplus(deps: JobDeps, ctx: SyncJobContext, pods: Pod[]): Promise<ManageResult> {
  let active = ctx.activePods.length;
  if (pods.length === 0) return { active };
  deps.expectations.expect(ctx.key, 0, pods.length);
  const { removed, removedReady, error } = await deleteJobPods(deps, ctx, pods);
  active -= removed;
  ctx.terminating += removed;
  ctx.ready -= removedReady;
  return { active, error };
}

/**
 * Deletes pods that will not count (surplus, suspended): their finalizer goes first, so that
 * the deletion does not count as a failure.
 */
async function deleteJobPods(deps: JobDeps, ctx: SyncJobContext, pods: Pod[]): Promise<{ removed: number; removedReady: number; error?: unknown }> {
  let removed = 0;
  let removedReady = 0;
  let error: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      if (hasTrackingFinalizer(pod)) await deps.client.patch(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, removeTrackingFinalizerPatch, 'strategic');
      await deletePod(deps, ctx.job, pod);
      removed++;
      if (isPodReady(pod)) removedReady++;
    } catch (err) {
      // It will never be observed: stop waiting for it.
      deps.expectations.deletionObserved(ctx.key);
      if (isNotFound(err)) {
        removed++;
        return;
      }
      error ??= err;
    }
  }));
  return { removed, removedReady, error };
}

/**
 * Deletes the active pods of a Job that is finishing, keeping their finalizers: they are
 * counted as failed once they are gone. Returns how many (and how many ready) went.
 */
export async function deleteActivePods(deps: JobDeps, job: Job, pods: readonly Pod[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = 0;
  let deletedReady = 0;
  let error: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      await deletePod(deps, job, pod);
      deleted++;
    } catch (err) {
      if (isNotFound(err)) deleted++;
      else error ??= err;
    }
    if (isPodReady(pod)) deletedReady++;
  }));
  return { deleted, deletedReady, error };
}

/** RealPodControl.DeletePod: the delete, and its event. */
async function deletePod(deps: JobDeps, job: Job, pod: Pod): Promise<void> {
  const name = pod.metadata!.name!;
  try {
    await deps.client.delete(gvr.pods, pod.metadata!.namespace, name);
  } catch (err) {
    if (!isNotFound(err)) recordJobEvent(deps, job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
    throw err;
  }
  recordJobEvent(deps, job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
}

/** The template every new pod starts from: the tracking finalizer, and the index variable. */
function podTemplate(job: Job): PodTemplateSpec {
  const template = cloneJSON(job.spec!.template);
  if (isIndexedJob(job)) addCompletionIndexEnv(template);
  const meta = (template.metadata ??= {});
  if (!meta.finalizers?.includes(jobTrackingFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), jobTrackingFinalizer];
  return template;
}

function podFor(job: Job, template: PodTemplateSpec, index: number | undefined): Pod {
  const name = job.metadata!.name!;
  const pod = podFromTemplate(template, job.metadata!.namespace!, name, newControllerRef(job, { apiVersion: 'batch/v1', kind: 'Job' }));
  if (index !== undefined) {
    const meta = pod.metadata!;
    meta.annotations = { ...meta.annotations, [completionIndexKey]: String(index) };
    meta.labels = { ...meta.labels, [completionIndexKey]: String(index) };
    meta.generateName = generateNameWithIndex(name, index);
    pod.spec = { ...pod.spec!, hostname: `${name}-${index}` };
  }
  return pod;
}

/**
 * Creates `count` pods in batches of 1, 2, 4 …: when a batch fails (quota, admission), the
 * rest is not tried, so a Job that cannot create pods does not flood the API and the events.
 */
async function createPods(deps: JobDeps, ctx: SyncJobContext, count: number, indexes: number[]): Promise<{ count: number; error?: unknown }> {
  const job = ctx.job;
  const template = podTemplate(job);
  deps.expectations.expect(ctx.key, count, 0);
  let created = 0;
  let error: unknown;
  let remaining = count;
  let next = 0;
  for (let batch = Math.min(remaining, 1); remaining > 0; batch = Math.min(2 * batch, remaining)) {
    let failed = 0;
    await Promise.all(Array.from({ length: batch }, async () => {
      const index = indexes.length > 0 ? indexes[next++] : undefined;
      try {
        const pod = await deps.client.create<Pod>(gvr.pods, podFor(job, template, index));
        created++;
        recordJobEvent(deps, job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
      } catch (err) {
        failed++;
        error ??= err;
        deps.expectations.creationObserved(ctx.key);
        recordJobEvent(deps, job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      }
    }));
    remaining -= batch;
    if (failed > 0 && remaining > 0) {
      // Never tried: never to be observed.
      deps.expectations.lowerExpectations(ctx.key, remaining, 0);
      break;
    }
  }
  return { count: created, error };
}
