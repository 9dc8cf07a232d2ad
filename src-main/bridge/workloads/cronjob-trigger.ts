// `kubectl create job --from=cronjob/x`: a Job made from the CronJob's jobTemplate, marked as
// started by hand and owned by the CronJob (so deleting the CronJob takes it too).
import { randomBytes } from 'node:crypto';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';

export const instantiateAnnotation = 'cronjob.kubernetes.io/instantiate';

/** `<cronjob>-manual-<5 random chars>`, short enough for the job-name label (63). */
export function manualJobName(cronJob: string): string {
  const suffix = randomBytes(4).toString('hex').slice(0, 5);
  return `${cronJob.slice(0, 63 - '-manual-'.length - suffix.length).replace(/[-.]+$/, '')}-manual-${suffix}`;
}

/** kubectl's getJobFromCronJob: the template's labels and annotations, its spec, an owner reference. */
export function jobFromCronJob(cronJob: CronJob, name: string): Job {
  const template = cronJob.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cronJob.metadata?.namespace,
      labels: template?.metadata?.labels,
      annotations: { [instantiateAnnotation]: 'manual', ...template?.metadata?.annotations },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata!.name!, uid: cronJob.metadata!.uid!, controller: true }],
    },
    spec: template?.spec,
  };
}
