// Job conditions as upstream's Job controller writes them (Complete, Failed, Suspended and the
// interim SuccessCriteriaMet / FailureTarget), and the "is it finished" questions the Job,
// CronJob and TTL-after-finished controllers all ask.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1';

export type JobConditionType = 'Complete' | 'Failed' | 'Suspended' | 'SuccessCriteriaMet' | 'FailureTarget';

export const jobReasons = {
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  completionsReached: 'CompletionsReached',
} as const;

export const jobMessages = {
  backoffLimitExceeded: 'Job has reached the specified backoff limit',
  deadlineExceeded: 'Job was active longer than specified deadline',
  completionsReached: 'Reached expected number of succeeded pods',
} as const;

/** metav1.Time on the wire: RFC 3339 with whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function findCondition(job: Job, type: JobConditionType): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

function isTrue(job: Job, type: JobConditionType): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed and True: upstream's IsJobFinished. */
export function isJobFinished(job: Job): boolean {
  return isTrue(job, 'Complete') || isTrue(job, 'Failed');
}

/** The finishing condition (Complete or Failed, True), if the job has finished. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function isJobSucceeded(job: Job): boolean {
  return isTrue(job, 'Complete');
}

export function newCondition(type: JobConditionType, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const at = metaTime(now);
  return { type, status, lastProbeTime: at, lastTransitionTime: at, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/**
 * Sets the condition of `type` (upstream's ensureJobConditionStatus): a changed one is replaced,
 * a missing one is added unless it would be False (nothing → False says nothing). Returns whether
 * the list changed.
 */
export function ensureCondition(conditions: JobCondition[], type: JobConditionType, status: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conditions[i];
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return false;
    conditions[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  conditions.push(newCondition(type, status, reason, message, now));
  return true;
}
