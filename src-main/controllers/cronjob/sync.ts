// One pass over a CronJob (upstream's v2 controller, syncCronJob and cleanupFinishedJobs):
// settle status.active against the Jobs that exist, record finished ones, start the Job of the
// most recent due schedule time unless the concurrency policy, the starting deadline or suspend
// say no, delete finished Jobs beyond the history limits, and say when to look again.
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { ObjectReference } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isNotFound } from '../../client/api-error.ts';
import { involved, type EventRecorder, type EventType } from '../../client/event-recorder.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import type { Clock } from '../../util/clock.ts';
import { isKnownTimeZone, parseCron, type CronSchedule } from '../../util/cron.ts';
import { isControlledBy } from '../controller-ref.ts';
import { finishedCondition, isJobFinished, isJobSucceeded, metaTime } from '../job/conditions.ts';
import { jobFromTemplate, rfc1123z } from './job-from-template.ts';
import { jobNameFor, mostRecentScheduleTime, nextScheduleDelayMs } from './schedule.ts';

export interface CronJobDeps {
  client: KubeClient;
  clock: Clock;
  recorder: EventRecorder;
}

export interface SyncResult {
  requeueAfterMs?: number;
  /** The status changed and must be written. */
  updateStatus: boolean;
  error?: unknown;
}

function event(deps: CronJobDeps, cj: CronJob, type: EventType, reason: string, message: string): void {
  deps.recorder.event(involved(cj, 'CronJob', gvr.cronJobs), type, reason, message);
}

const inActiveList = (cj: CronJob, uid: string | undefined): boolean => (cj.status?.active ?? []).some((r) => r.uid === uid);

function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  cj.status = { ...cj.status, active: (cj.status?.active ?? []).filter((r) => r.uid !== uid) };
}

function jobReference(job: Job): ObjectReference {
  const m = job.metadata ?? {};
  return { kind: 'Job', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'batch/v1', resourceVersion: m.resourceVersion };
}

/** Deletes a Job with its pods and takes it off the active list. Whether it worked. */
async function deleteJob(deps: CronJobDeps, cj: CronJob, job: Job): Promise<boolean> {
  try {
    await deps.client.delete(gvr.jobs, job.metadata?.namespace, job.metadata!.name!, { propagationPolicy: 'Background' });
  } catch (err) {
    if (isNotFound(err)) {
      // Deleted by an earlier sync that the cache had not caught up with: nothing to report.
      deleteFromActiveList(cj, job.metadata?.uid);
      return true;
    }
    event(deps, cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
    return false;
  }
  deleteFromActiveList(cj, job.metadata?.uid);
  event(deps, cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
  return true;
}

function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa !== !sb) return sa ? -1 : 1;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit. */
export async function cleanupFinishedJobs(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
  const limits = { Complete: cj.spec?.successfulJobsHistoryLimit, Failed: cj.spec?.failedJobsHistoryLimit };
  let changed = false;
  for (const type of ['Complete', 'Failed'] as const) {
    const limit = limits[type];
    if (limit == null) continue;
    const finished = jobs.filter((j) => finishedCondition(j)?.type === type).sort(byStartTime);
    for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
      if (await deleteJob(deps, cj, job)) changed = true;
    }
  }
  return changed;
}

/** Reconciles status.active and lastSuccessfulTime with the Jobs; whether anything changed. */
async function reconcileActive(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
  let changed = false;
  const children = new Set<string | undefined>();
  for (const j of jobs) {
    children.add(j.metadata?.uid);
    const found = inActiveList(cj, j.metadata?.uid);
    if (!found && !isJobFinished(j)) {
      // Our status may be behind our own write: ask the server before calling it unexpected.
      const fresh = await deps.client.get<CronJob>(gvr.cronJobs, cj.metadata?.namespace, cj.metadata!.name!);
      if (inActiveList(fresh, j.metadata?.uid)) {
        // Build on the newer status, and write it over that version.
        cj.status = fresh.status;
        cj.metadata = { ...cj.metadata, resourceVersion: fresh.metadata?.resourceVersion };
        continue;
      }
      event(deps, cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`);
    } else if (found && isJobFinished(j)) {
      deleteFromActiveList(cj, j.metadata?.uid);
      event(deps, cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, status: ${finishedCondition(j)?.type}`);
      changed = true;
    } else if (isJobSucceeded(j)) {
      // Finished Jobs need not be active to count: keep the latest completion.
      const done = j.status?.completionTime;
      const last = cj.status?.lastSuccessfulTime;
      if (done && (!last || Date.parse(done) > Date.parse(last))) {
        cj.status = { ...cj.status, lastSuccessfulTime: done };
        changed = true;
      }
    }
  }
  // An active Job that is gone would block a Forbid CronJob for ever.
  for (const ref of [...(cj.status?.active ?? [])]) {
    if (children.has(ref.uid)) continue;
    try {
      await deps.client.get(gvr.jobs, ref.namespace, ref.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      event(deps, cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      deleteFromActiveList(cj, ref.uid);
      changed = true;
    }
  }
  return changed;
}

function parseSchedule(deps: CronJobDeps, cj: CronJob): CronSchedule | undefined {
  const tz = cj.spec?.timeZone;
  if (tz != null && !isKnownTimeZone(tz)) {
    event(deps, cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
    return undefined;
  }
  const schedule = cj.spec?.schedule ?? '';
  if (schedule.includes('TZ')) {
    event(deps, cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  try {
    return parseCron(schedule);
  } catch (err) {
    event(deps, cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${schedule}" : ${(err as Error).message}`);
    return undefined;
  }
}

/** syncCronJob: everything but the status write. `cj` is a copy whose status it updates. */
export async function syncCronJob(deps: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<SyncResult> {
  const now = deps.clock.now();
  let updateStatus = await reconcileActive(deps, cj, jobs);
  if (cj.metadata?.deletionTimestamp || cj.spec?.suspend) return { updateStatus };
  const schedule = parseSchedule(deps, cj);
  if (!schedule) return { updateStatus };
  const again = (): SyncResult => ({ updateStatus, requeueAfterMs: nextScheduleDelayMs(cj, now, schedule) });
  const due = mostRecentScheduleTime(cj, now, schedule, true);
  if (due.error) {
    event(deps, cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${due.error}`);
    return { updateStatus };
  }
  if (due.mostRecent === undefined || due.mostRecent > now) return again();
  if (due.missed === 'many') {
    event(deps, cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  }
  const scheduled = due.mostRecent;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline != null && scheduled + deadline * 1000 < now) {
    event(deps, cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return again();
  }
  const name = jobNameFor(cj, scheduled);
  const lastScheduled = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  if ((cj.status?.active ?? []).some((r) => r.name === name && r.namespace === cj.metadata?.namespace) || lastScheduled === scheduled) return again();
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && (cj.status?.active?.length ?? 0) > 0) {
    event(deps, cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return again();
  }
  if (policy === 'Replace') {
    for (const ref of [...(cj.status?.active ?? [])]) {
      let job: Job;
      try {
        job = await deps.client.get<Job>(gvr.jobs, ref.namespace, ref.name!);
      } catch (err) {
        event(deps, cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
        return { updateStatus, error: err };
      }
      if (!(await deleteJob(deps, cj, job))) return { updateStatus, error: new Error(`could not replace job ${ref.namespace}/${ref.name}`) };
      updateStatus = true;
    }
  }
  const created = await createJob(deps, cj, scheduled);
  if ('error' in created) return { updateStatus, error: created.error };
  if (!created.job) return again();
  cj.status = { ...cj.status, active: [...(cj.status?.active ?? []), jobReference(created.job)], lastScheduleTime: metaTime(scheduled) };
  return { updateStatus: true, requeueAfterMs: nextScheduleDelayMs(cj, now, schedule) };
}

/**
 * Creates the Job of a schedule time. A Job of that name that we own and forgot to list as
 * active is listed now; one someone else made is left alone (job undefined).
 */
async function createJob(deps: CronJobDeps, cj: CronJob, scheduled: number): Promise<{ job?: Job } | { error: unknown }> {
  const wanted = jobFromTemplate(cj, scheduled);
  try {
    const job = await deps.client.create<Job>(gvr.jobs, wanted);
    event(deps, cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata?.name}`);
    return { job };
  } catch (err) {
    if (!isAlreadyExists(err)) {
      event(deps, cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
      return { error: err };
    }
  }
  try {
    const job = await deps.client.get<Job>(gvr.jobs, cj.metadata?.namespace, wanted.metadata!.name!);
    if (!isControlledBy(job, cj) || inActiveList(cj, job.metadata?.uid)) return {};
    return { job };
  } catch (err) {
    return { error: err };
  }
}
