// The CronJob controller against the real API, on hollow nodes and a fake clock: Jobs on time
// every minute, history limits, Forbid, Replace, suspend, time zones, too many missed times,
// and kubectl (describe shows the events; create job --from=cronjob/… works).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CronJob, CronJobSpec, Job } from 'kubernetes-types/batch/v1';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { hollowAnnotations } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const start = Date.UTC(2026, 0, 1, 0, 0, 0);
const clock = new FakeClock(start);
const ns = 'default';
const minute = 60_000;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

function cronJob(name: string, spec: Partial<CronJobSpec>, runSeconds?: number): CronJob {
  const annotations: Record<string, string> = runSeconds === undefined ? {} : { [hollowAnnotations.runSeconds]: String(runSeconds) };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: {
      schedule: '* * * * *',
      ...spec,
      jobTemplate: {
        metadata: { labels: { app: name } },
        spec: {
          template: {
            metadata: { annotations },
            spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox' }] },
          },
        },
      },
    },
  };
}

const getCronJob = (name: string) => cluster.client.get<CronJob>(gvr.cronJobs, ns, name);
const jobsOf = async (name: string) => (await cluster.client.list<Job>(gvr.jobs, { namespace: ns, labelSelector: `app=${name}` })).items
  .filter((j) => !j.metadata?.deletionTimestamp)
  .map((j) => j.metadata!.name!)
  .sort();
const jobName = (cj: string, at: number) => `${cj}-${Math.floor(at / minute)}`;
const isFinished = (j: Job) => j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
const nextMinute = () => Math.floor(clock.now() / minute) * minute + minute;

async function advanceTo(at: number): Promise<void> {
  await clock.advance(at - clock.now());
}

async function eventsOf(name: string): Promise<Event[]> {
  await cluster.cp.controllers?.flushEvents();
  const list = await cluster.client.list<Event>(gvr.events, { namespace: ns });
  return list.items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'CronJob');
}

async function job(name: string): Promise<Job> {
  return waitFor(`job ${name}`, () => cluster.client.get<Job>(gvr.jobs, ns, name), 30_000);
}

/** Waits until the Job's pod runs, so that moving the clock finishes it on time. */
async function podRunning(job: string): Promise<void> {
  await waitFor(`a running pod of ${job}`, async () => {
    const pods = await cluster.client.list<Pod>(gvr.pods, { namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${job}` });
    return pods.items.some((p) => p.status?.phase === 'Running');
  }, 30_000);
}

async function finished(name: string): Promise<Job> {
  return waitFor(`job ${name} finished`, async () => {
    const j = await cluster.client.get<Job>(gvr.jobs, ns, name);
    return isFinished(j) && j;
  }, 30_000);
}

async function cronJobWhere(name: string, what: string, check: (cj: CronJob) => boolean): Promise<CronJob> {
  return waitFor(`${name}: ${what}`, async () => {
    const cj = await getCronJob(name);
    return check(cj) && cj;
  }, 30_000);
}

async function quietly(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
}

describe('CronJob', () => {
  it('runs at the schedule time of spec.timeZone', async () => {
    // 09:02 in Tokyo is 00:02 UTC; the same schedule without a time zone means 09:02 UTC.
    await cluster.client.create(gvr.cronJobs, cronJob('tokyo', { schedule: '2 9 * * *', timeZone: 'Asia/Tokyo' }, 5));
    await cluster.client.create(gvr.cronJobs, cronJob('utc', { schedule: '2 9 * * *' }, 5));
    const at = start + 2 * minute;
    await advanceTo(at - 1000);
    await quietly();
    expect(await jobsOf('tokyo')).toEqual([]);
    await advanceTo(at + 1000);
    const j = await job(jobName('tokyo', at));
    expect(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2026-01-01T09:02:00+09:00');
    await cronJobWhere('tokyo', 'lastScheduleTime 00:02 UTC', (cj) => cj.status?.lastScheduleTime === '2026-01-01T00:02:00Z');
    expect(await jobsOf('utc')).toEqual([]);
    await cluster.client.delete(gvr.cronJobs, ns, 'tokyo');
    await cluster.client.delete(gvr.cronJobs, ns, 'utc');
  });

  it('creates a Job every minute on time and keeps successfulJobsHistoryLimit of them', async () => {
    await cluster.client.create(gvr.cronJobs, cronJob('tick', {}, 5));
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const at = nextMinute();
      await advanceTo(at - 1000);
      await quietly();
      expect(await jobsOf('tick')).not.toContain(jobName('tick', at));
      // Still within the schedule's second, so that the creation time shows it exactly.
      await advanceTo(at + 500);
      const name = jobName('tick', at);
      const j = await job(name);
      created.push(name);
      expect(Date.parse(j.metadata!.creationTimestamp!)).toBe(at);
      expect(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(at).toISOString().replace('.000Z', 'Z'));
      expect(j.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', controller: true });
      const cj = await cronJobWhere('tick', 'active', (c) => (c.status?.active?.length ?? 0) > 0);
      expect(cj.status?.active?.map((r) => r.name)).toEqual([name]);
      expect(cj.status?.active?.[0]).toMatchObject({ kind: 'Job', apiVersion: 'batch/v1', namespace: ns, uid: j.metadata?.uid });
      expect(Date.parse(cj.status!.lastScheduleTime!)).toBe(at);
      await podRunning(name);
      await advanceTo(at + 10_000);
      const done = await finished(name);
      await waitFor('tick no longer active', async () => {
        const s = (await getCronJob('tick')).status;
        return !s?.active?.length && s?.lastSuccessfulTime === done.status?.completionTime;
      });
    }
    // The default successfulJobsHistoryLimit is 3: the two oldest were deleted.
    await waitFor('three Jobs kept', async () => JSON.stringify(await jobsOf('tick')) === JSON.stringify(created.slice(2).sort()));
    const events = await eventsOf('tick');
    const messages = (reason: string) => events.filter((e) => e.reason === reason).map((e) => e.message).sort();
    expect(messages('SuccessfulCreate')).toEqual(created.map((n) => `Created job ${n}`).sort());
    expect(messages('SawCompletedJob')).toEqual(created.map((n) => `Saw completed job: ${n}, status: Complete`).sort());
    expect(messages('SuccessfulDelete')).toEqual(created.slice(0, 2).map((n) => `Deleted job ${n}`).sort());
    await cluster.client.patch(gvr.cronJobs, ns, 'tick', { spec: { suspend: true } }, 'merge');
  });

  it('keeps failedJobsHistoryLimit failed Jobs', async () => {
    const cj = cronJob('broken', { failedJobsHistoryLimit: 1 }, 1);
    cj.spec!.jobTemplate.spec!.backoffLimit = 0;
    cj.spec!.jobTemplate.spec!.template.metadata!.annotations![hollowAnnotations.exitCode] = '3';
    await cluster.client.create(gvr.cronJobs, cj);
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      const at = nextMinute();
      await advanceTo(at + 1000);
      names.push(jobName('broken', at));
      await podRunning(names[i]);
      await advanceTo(at + 5000);
      await finished(names[i]);
    }
    await waitFor('one failed Job kept', async () => JSON.stringify(await jobsOf('broken')) === JSON.stringify([names[1]]));
    await cluster.client.delete(gvr.cronJobs, ns, 'broken');
  });

  it('Forbid: skips a run while the previous Job is active', async () => {
    await cluster.client.create(gvr.cronJobs, cronJob('single', { concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 10 }, 90));
    const m1 = nextMinute();
    await advanceTo(m1 + 1000);
    const first = jobName('single', m1);
    await job(first);
    await podRunning(first);
    await advanceTo(m1 + minute + 1000);
    await waitFor('JobAlreadyActive', async () => (await eventsOf('single')).some((e) => e.reason === 'JobAlreadyActive'
      && e.message === 'Not starting job because prior execution is running and concurrency policy is Forbid'));
    expect(await jobsOf('single')).toEqual([first]);
    // The first Job ends 90 s in; the missed run is past its starting deadline by then.
    await advanceTo(m1 + minute + 40_000);
    await finished(first);
    await quietly();
    expect(await jobsOf('single')).toEqual([first]);
    await advanceTo(m1 + 2 * minute + 1000);
    await job(jobName('single', m1 + 2 * minute));
    expect(await jobsOf('single')).toEqual([first, jobName('single', m1 + 2 * minute)].sort());
    await cluster.client.delete(gvr.cronJobs, ns, 'single');
  });

  it('Replace: deletes the running Job and starts the new one', async () => {
    await cluster.client.create(gvr.cronJobs, cronJob('fresh', { concurrencyPolicy: 'Replace' }, 600));
    const m1 = nextMinute();
    await advanceTo(m1 + 1000);
    const first = jobName('fresh', m1);
    await job(first);
    await podRunning(first);
    await advanceTo(m1 + minute + 1000);
    const second = jobName('fresh', m1 + minute);
    const j2 = await job(second);
    await waitFor('only the new Job', async () => JSON.stringify(await jobsOf('fresh')) === JSON.stringify([second]));
    await cronJobWhere('fresh', 'only the new Job active', (cj) => JSON.stringify(cj.status?.active?.map((r) => r.uid)) === JSON.stringify([j2.metadata?.uid]));
    expect((await eventsOf('fresh')).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${first}`)).toBe(true);
    await cluster.client.delete(gvr.cronJobs, ns, 'fresh');
  });

  it('suspend stops new Jobs; resumed, the most recent missed run starts', async () => {
    await cluster.client.create(gvr.cronJobs, cronJob('pausable', {}, 5));
    const m1 = nextMinute();
    await advanceTo(m1 + 1000);
    await job(jobName('pausable', m1));
    await cluster.client.patch(gvr.cronJobs, ns, 'pausable', { spec: { suspend: true } }, 'merge');
    await waitFor('suspended in the cache', async () => (await getCronJob('pausable')).spec?.suspend === true);
    await quietly();
    await advanceTo(m1 + 3 * minute + 1000);
    await quietly();
    expect(await jobsOf('pausable')).toEqual([jobName('pausable', m1)]);
    await cluster.client.patch(gvr.cronJobs, ns, 'pausable', { spec: { suspend: false } }, 'merge');
    await job(jobName('pausable', m1 + 3 * minute));
    expect(await jobsOf('pausable')).toHaveLength(2);
    await cluster.client.delete(gvr.cronJobs, ns, 'pausable');
  });

  it('warns of too many missed start times, and starts the most recent', async () => {
    await cluster.client.create(gvr.cronJobs, cronJob('late', { suspend: true }, 5));
    const cj = await getCronJob('late');
    const longAgo = Math.floor(clock.now() / minute) * minute - 200 * minute;
    await cluster.client.updateStatus(gvr.cronJobs, { ...cj, status: { lastScheduleTime: new Date(longAgo).toISOString().replace('.000Z', 'Z') } });
    await cluster.client.patch(gvr.cronJobs, ns, 'late', { spec: { suspend: false } }, 'merge');
    await job(jobName('late', Math.floor(clock.now() / minute) * minute));
    const events = await eventsOf('late');
    expect(events.find((e) => e.reason === 'TooManyMissedTimes')).toMatchObject({
      type: 'Warning', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    });
    await cluster.client.delete(gvr.cronJobs, ns, 'late');
  });

  it('works with kubectl: describe shows the events, create job --from=cronjob/… runs the template', async () => {
    const kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
    try {
      const describe = await kubectl.ok(['describe', 'cronjob', 'tick']);
      expect(describe).toMatch(/Schedule:\s+\* \* \* \* \*/);
      expect(describe).toMatch(/Normal\s+SuccessfulCreate\s+.*cronjob-controller\s+Created job tick-/);
      expect(describe).toMatch(/Normal\s+SawCompletedJob\s+.*Saw completed job: tick-\d+, status: Complete/);
      await kubectl.ok(['create', 'job', '--from=cronjob/tick', 'tick-by-hand']);
      const manual = await job('tick-by-hand');
      expect(manual.metadata?.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
      expect(manual.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick' });
      await podRunning('tick-by-hand');
      await clock.advance(5000);
      await finished('tick-by-hand');
      await waitFor('UnexpectedJob', async () => (await eventsOf('tick')).some((e) => e.reason === 'UnexpectedJob'
        && e.message === 'Saw a job that the controller did not create or forgot: tick-by-hand'));
      const out = await kubectl.ok(['get', 'jobs', 'tick-by-hand']);
      expect(out).toMatch(/^tick-by-hand\s+Complete\s+1\/1/m);
    } finally {
      await kubectl.cleanup();
    }
  });
});
