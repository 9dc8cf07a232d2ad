// What the Job controller asks about its pods: the tracking finalizer that keeps a finished pod
// around until it is counted, whether a pod counts as failed, when it finished (for the backoff),
// and which active pods to delete first.
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isPodReady, podReadyCondition } from '../pod-state.ts';

/** batch.kubernetes.io/job-tracking: a pod is not gone before the Job has counted it. */
export const jobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata?.finalizers?.includes(jobTrackingFinalizer) ?? false;
}

/** Removes only our finalizer, whatever else the list holds by then. */
export const removeTrackingFinalizerPatch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [jobTrackingFinalizer] } };

/** Not finished and not being deleted (controller.FilterActivePods). */
export function isActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Being deleted but still running (controller.CountTerminatingPods). */
export function isTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** podReplacementPolicy Failed: a terminating pod is replaced only once it has failed. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/**
 * Failed, or deleted before it succeeded: an orphan deleted by the pod GC never reaches the
 * Failed phase, and must still count as a failure (unless only failed pods are replaced).
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/**
 * When a pod finished: its containers' latest finish, else when it went not-ready, else its
 * deletion less the grace period, else its creation (upstream's getFinishedTime).
 */
export function podFinishedTime(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  let latest: number | undefined;
  for (const s of statuses) {
    const at = s.state?.terminated?.finishedAt ? Date.parse(s.state.terminated.finishedAt) : NaN;
    if (!Number.isFinite(at)) {
      latest = undefined;
      break;
    }
    latest = latest === undefined ? at : Math.max(latest, at);
  }
  if (latest !== undefined) return latest;
  const ready = podReadyCondition(pod);
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata?.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return Date.parse(pod.metadata?.creationTimestamp ?? '') || 0;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

function time(text: string | undefined): number {
  return text ? Date.parse(text) : 0;
}

/**
 * controller.ActivePods order: the pods least worth keeping first — unscheduled before
 * scheduled, pending before running, not ready before ready, ready for less time, more
 * restarts, newer.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const boundA = a.spec?.nodeName ? 1 : 0;
  const boundB = b.spec?.nodeName ? 1 : 0;
  if (boundA !== boundB) return boundA - boundB;
  const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (ra && rb) {
    const sa = time(podReadyCondition(a)?.lastTransitionTime);
    const sb = time(podReadyCondition(b)?.lastTransitionTime);
    if (sa !== sb) return sb - sa;
  }
  const rs = restarts(b) - restarts(a);
  if (rs !== 0) return rs;
  return time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp);
}
