// The Job a CronJob is triggered into by hand: kubectl create job --from=cronjob's shape, and a
// name that stays a valid job-name label however long the CronJob's name is.
import type { CronJob } from 'kubernetes-types/batch/v1';
import { describe, expect, it } from 'vitest';
import { jobFromCronJob, manualJobName } from '../../../src-main/bridge/workloads/cronjob-trigger.ts';

describe('manual jobs from a CronJob', () => {
  it('names the job <cronjob>-manual-<5 chars>, at most 63 long, never ending in a dash', () => {
    expect(manualJobName('report')).toMatch(/^report-manual-[0-9a-f]{5}$/);
    const long = manualJobName(`${'a'.repeat(49)}-${'b'.repeat(20)}`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^a{49}-manual-[0-9a-f]{5}$/);
  });

  it('copies the template labels, annotations and spec, marks it manual and owned by the CronJob', () => {
    const cron: CronJob = {
      metadata: { name: 'report', namespace: 'ops', uid: 'u1' },
      spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { a: '1' }, annotations: { b: '2' } }, spec: { backoffLimit: 1, template: { spec: { containers: [] } } } } },
    };
    expect(jobFromCronJob(cron, 'report-manual-x')).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'report-manual-x', namespace: 'ops', labels: { a: '1' },
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', b: '2' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'u1', controller: true }],
      },
      spec: { backoffLimit: 1, template: { spec: { containers: [] } } },
    });
  });
});
