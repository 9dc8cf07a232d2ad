import { describe, expect, it } from 'vitest';
import type { CronJob } from 'kubernetes-types/batch/v1';
import { jobFromTemplate, rfc1123z, rfc3339InZone } from '../../../src-main/controllers/cronjob/job-from-template.ts';
import { jobNameFor, mostRecentScheduleTime, nextScheduleDelayMs } from '../../../src-main/controllers/cronjob/schedule.ts';
import { parseCron } from '../../../src-main/util/cron.ts';

const minute = 60_000;
const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);

function cronJob(spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    metadata: { name: 'tick', namespace: 'default', uid: 'u1', creationTimestamp: new Date(t0).toISOString() },
    spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [] } } } }, ...spec },
    status,
  };
}

describe('cronjob schedule', () => {
  const everyMinute = parseCron('* * * * *');

  it('finds nothing due before the first schedule time, then the latest one', () => {
    expect(mostRecentScheduleTime(cronJob(), t0 + 30_000, everyMinute, true)).toEqual({ earliest: t0, missed: 'none' });
    expect(mostRecentScheduleTime(cronJob(), t0 + minute + 100, everyMinute, true).mostRecent).toBe(t0 + minute);
    const r = mostRecentScheduleTime(cronJob(), t0 + 5 * minute + 100, everyMinute, true);
    expect(r).toMatchObject({ mostRecent: t0 + 5 * minute, missed: 'few' });
  });

  it('counts more than 100 missed times as many', () => {
    const r = mostRecentScheduleTime(cronJob(), t0 + 150 * minute + 5, everyMinute, true);
    expect(r).toMatchObject({ mostRecent: t0 + 150 * minute, missed: 'many' });
  });

  it('looks no further back than startingDeadlineSeconds', () => {
    const cj = cronJob({ startingDeadlineSeconds: 10 });
    expect(mostRecentScheduleTime(cj, t0 + minute + 20_000, everyMinute, true).mostRecent).toBeUndefined();
    expect(mostRecentScheduleTime(cj, t0 + minute + 5_000, everyMinute, true).mostRecent).toBe(t0 + minute);
  });

  it('requeues 100 ms after the next schedule time', () => {
    const cj = cronJob({}, { lastScheduleTime: new Date(t0 + minute).toISOString() });
    expect(nextScheduleDelayMs(cj, t0 + minute + 100, everyMinute)).toBe(minute);
  });

  it('computes times in spec.timeZone', () => {
    const cj = cronJob({ schedule: '30 9 * * *', timeZone: 'Asia/Tokyo' });
    const r = mostRecentScheduleTime(cj, t0 + 31 * minute, parseCron('30 9 * * *'), true);
    expect(r.mostRecent).toBe(t0 + 30 * minute);
  });

  it('makes the Job of a schedule time', () => {
    const at = t0 + 30 * minute;
    const job = jobFromTemplate(cronJob({ timeZone: 'America/New_York' }), at);
    expect(job.metadata?.name).toBe(`tick-${at / minute}`);
    expect(job.metadata?.labels).toEqual({ a: 'b' });
    expect(job.metadata?.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2025-12-31T19:30:00-05:00' });
    expect(job.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    expect(jobNameFor(cronJob(), at + 59_999)).toBe(`tick-${at / minute}`);
  });

  it('formats times as Go does', () => {
    expect(rfc3339InZone(t0, undefined)).toBe('2026-01-01T00:00:00Z');
    expect(rfc3339InZone(t0, 'Asia/Kolkata')).toBe('2026-01-01T05:30:00+05:30');
    expect(rfc3339InZone(t0, 'Europe/London')).toBe('2026-01-01T00:00:00Z');
    expect(rfc1123z(t0 + minute)).toBe('Thu, 01 Jan 2026 00:01:00 +0000');
  });
});
