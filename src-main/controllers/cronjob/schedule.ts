// When a CronJob should run (upstream's cronjob/utils.go): the most recent schedule time that
// is due and not yet started, how many were missed, and when to look again. Times are ms since
// the epoch; the schedule is computed in spec.timeZone (UTC when absent).
import type { CronJob } from 'kubernetes-types/batch/v1';
import type { CronSchedule } from '../../util/cron.ts';

export type Missed = 'none' | 'few' | 'many';

/** Extra wait after a schedule time, against clock skew (nextScheduleDelta). */
export const nextScheduleDeltaMs = 100;
/** More missed start times than this is "too many" (and a warning event). */
export const maxMissedSchedules = 100;

export interface MostRecent {
  /** The last schedule time, else the creation time (moved up to the starting deadline). */
  earliest: number;
  /** The latest schedule time in (earliest, now], if there is one. */
  mostRecent?: number;
  missed: Missed;
  error?: string;
}

function next(schedule: CronSchedule, after: number, timeZone: string | undefined): number {
  return schedule.next(new Date(after), timeZone).getTime();
}

/**
 * mostRecentScheduleTime. Rather than walking every missed time (a CronJob whose clock was off
 * by years would walk millions), it estimates how many intervals fit since the first missed
 * time and walks only the last two.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: CronSchedule, includeStartingDeadline: boolean): MostRecent {
  const tz = cj.spec?.timeZone ?? undefined;
  let earliest = Date.parse(cj.metadata?.creationTimestamp ?? '') || now;
  if (cj.status?.lastScheduleTime) earliest = Date.parse(cj.status.lastScheduleTime);
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = next(schedule, earliest, tz);
  if (Number.isNaN(t1) || now < t1) return { earliest, missed: 'none' };
  const t2 = next(schedule, t1, tz);
  if (Number.isNaN(t2) || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const intervalSeconds = Math.round((t2 - t1) / 1000);
  if (intervalSeconds < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsedSeconds = Math.trunc((now - t1) / 1000);
  const missedCount = Math.floor(elapsedSeconds / intervalSeconds) + 1;
  // One interval further back than the estimate, so that irregular schedules ("30 6-16/4 * * 1-5")
  // still find their true latest time.
  const potentialEarliest = t1 + (missedCount - 2) * intervalSeconds * 1000;
  let mostRecent: number | undefined;
  for (let t = next(schedule, potentialEarliest, tz); !Number.isNaN(t) && t <= now; t = next(schedule, t, tz)) mostRecent = t;
  const missed: Missed = missedCount > maxMissedSchedules ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** ms from now until the sync after the next schedule time (nextScheduleTimeDuration). */
export function nextScheduleDelayMs(cj: CronJob, now: number, schedule: CronSchedule): number {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent !== undefined) from = r.mostRecent;
  else from = r.missed === 'none' ? r.earliest : now;
  const t = next(schedule, from, cj.spec?.timeZone ?? undefined);
  // A schedule that never fires again: look again in a day, in case it is changed.
  if (Number.isNaN(t)) return 24 * 3600_000;
  return t + nextScheduleDeltaMs - now;
}

/** "<cronjob>-<minutes since the epoch>": one name per schedule time, so no time runs twice. */
export function jobNameFor(cj: CronJob, scheduledTime: number): string {
  return `${cj.metadata?.name}-${Math.floor(scheduledTime / 60_000)}`;
}
