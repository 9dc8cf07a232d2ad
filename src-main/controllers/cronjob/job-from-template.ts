// The Job a CronJob starts for one schedule time (upstream's getJobFromTemplate2): the
// template's labels, annotations and spec, a name fixed by the time, the scheduled time as an
// annotation in the CronJob's time zone, and the CronJob as controller.
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import { cloneJSON } from '../../util/clone-json.ts';
import { newControllerRef } from '../controller-ref.ts';
import { jobNameFor } from './schedule.ts';

export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** Go's time.RFC3339 in a zone: "2026-01-01T09:30:00+09:00", or "…Z" at offset zero. */
export function rfc3339InZone(ms: number, timeZone: string | undefined): string {
  const seconds = Math.floor(ms / 1000) * 1000;
  if (!timeZone || timeZone === 'UTC') return new Date(seconds).toISOString().replace('.000Z', 'Z');
  const parts: Record<string, number> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  for (const p of format.formatToParts(new Date(seconds))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offsetMinutes = Math.round((wall - seconds) / 60_000);
  const local = new Date(wall).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${local}${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: "Thu, 01 Jan 2026 00:01:00 +0000" (the MissSchedule event). */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} +0000`;
}

export function jobFromTemplate(cj: CronJob, scheduledTime: number): Job {
  const template = cj.spec!.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledTime),
      namespace: cj.metadata?.namespace,
      labels: { ...template.metadata?.labels },
      annotations: {
        ...template.metadata?.annotations,
        [scheduledTimestampAnnotation]: rfc3339InZone(scheduledTime, cj.spec?.timeZone ?? undefined),
      },
      ownerReferences: [newControllerRef(cj, { apiVersion: 'batch/v1', kind: 'CronJob' })],
    },
    spec: cloneJSON(template.spec!),
  };
}
