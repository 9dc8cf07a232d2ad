import { describe, expect, it } from 'vitest';
import { cronJob } from '../../../../src-main/api/resources/cronjob.ts';
import type { KubeObject } from '../../../../src-main/api/resources/types.ts';
import { create, examplesOfKind, fields, messages } from './workload-helpers.ts';

const hello = (): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello' },
  spec: {
    schedule: '* * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox:1.28', command: ['date'] }] } } } },
  },
});

describe('CronJob examples from the Kubernetes docs', () => {
  const examples = examplesOfKind('CronJob');
  it('finds the cronjob examples', () => expect(examples.length).toBeGreaterThanOrEqual(1));
  for (const { file, obj } of examples) {
    it(`${file} (${obj.metadata.name}) has a valid, defaulted shape`, async () => {
      const { obj: stored, errors } = await create(cronJob, { ...obj, apiVersion: 'batch/v1' });
      expect(messages(errors)).toEqual([]);
      expect(stored.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    });
  }
});

describe('CronJob', () => {
  it('defaults the pod template but not the job fields of the job template', async () => {
    const spec = (await create(cronJob, hello())).obj.spec as any;
    expect(spec.jobTemplate.spec.backoffLimit).toBeUndefined();
    expect(spec.jobTemplate.spec.template.spec).toMatchObject({ dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
  });

  const invalid = async (mutate: (spec: any, obj: KubeObject) => void) => {
    const c = hello();
    mutate(c.spec, c);
    return (await create(cronJob, c)).errors;
  };

  it('checks the schedule', async () => {
    expect(messages(await invalid((s) => (s.schedule = '* * *')))).toEqual(['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']);
    expect(fields(await invalid((s) => (s.schedule = '61 * * * *')))).toEqual(['spec.schedule']);
    expect(messages(await invalid((s) => delete s.schedule))).toEqual(['spec.schedule: Required value']);
    expect(fields(await invalid((s) => (s.schedule = 'CRON_TZ=UTC 0 * * * *')))).toContain('spec.schedule');
    expect(await invalid((s) => (s.schedule = '@hourly'))).toEqual([]);
  });

  it('checks the time zone', async () => {
    expect(await invalid((s) => (s.timeZone = 'Europe/Madrid'))).toEqual([]);
    expect(messages(await invalid((s) => (s.timeZone = 'Mars/Olympus')))).toEqual(['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  });

  it('checks the concurrency policy, the name length and the template restart policy', async () => {
    expect(messages(await invalid((s) => (s.concurrencyPolicy = 'Sometimes')))).toEqual([
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]);
    expect(fields(await invalid((_s, c) => (c.metadata.name = 'a'.repeat(53))))).toEqual(['metadata.name']);
    expect(fields(await invalid((s) => (s.jobTemplate.spec.template.spec.restartPolicy = 'Always')))).toEqual(['spec.jobTemplate.spec.template.spec.restartPolicy']);
  });

  it('prints the table as kubectl does', async () => {
    const { obj } = await create(cronJob, hello());
    obj.status = { active: [{ name: 'hello-28391', namespace: 'default' }], lastScheduleTime: '2024-01-01T00:09:00Z' };
    expect(cronJob.table!.cells(obj, new Date('2024-01-01T00:10:00Z'))).toEqual([
      'hello', '* * * * *', '<none>', 'False', 1, '60s', '10m', 'hello', 'busybox:1.28', '<none>',
    ]);
  });
});
