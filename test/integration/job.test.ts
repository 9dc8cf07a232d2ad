// The Job and TTL-after-finished controllers against the real API, on hollow nodes and a fake
// clock: completions and parallelism, Indexed Jobs, the backoff between failed pods, the active
// deadline, suspend, counts that survive pod deletion, and deletion after the TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobSpec } from 'kubernetes-types/batch/v1';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { gvr } from '../../src-main/client/resources.ts';
import { hollowAnnotations } from '../../src-main/hollow/fleet.ts';
import { FakeClock } from '../../src-main/util/clock.ts';
import { startTestCluster, waitFor, type TestCluster } from './harness/cluster.ts';
import { Kubectl } from './harness/kubectl.ts';

const clock = new FakeClock();
const ns = 'default';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ clock, simulateNodes: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

function job(name: string, spec: Partial<JobSpec>, annotations: Record<string, string> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
      },
    },
  };
}

const getJob = (name: string) => cluster.client.get<Job>(gvr.jobs, ns, name);
const podsOf = async (name: string) => (await cluster.client.list<Pod>(gvr.pods, { namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
const condition = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type);
const seconds = (t: string | undefined) => Date.parse(t ?? '') / 1000;

async function eventsOf(name: string, kind = 'Job'): Promise<Event[]> {
  await cluster.cp.controllers?.flushEvents();
  const list = await cluster.client.list<Event>(gvr.events, { namespace: ns });
  return list.items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === kind);
}

/** Waits until the job's pods that are not finished are all Running (so the clock may move). */
async function running(name: string, count: number): Promise<Pod[]> {
  return waitFor(`${count} running pods of ${name}`, async () => {
    const pods = (await podsOf(name)).filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    return pods.length === count && pods;
  });
}

async function jobWhere(name: string, what: string, check: (j: Job) => boolean): Promise<Job> {
  return waitFor(`${name}: ${what}`, async () => {
    const j = await getJob(name);
    return check(j) && j;
  }, 30_000);
}

describe('Job', () => {
  it('runs completions with parallelism, counts through the tracking finalizer, and completes', async () => {
    await cluster.client.create(gvr.jobs, job('pi', { completions: 4, parallelism: 2 }, { [hollowAnnotations.runSeconds]: '5' }));
    const first = await running('pi', 2);
    const j0 = await jobWhere('pi', 'active 2', (j) => j.status?.active === 2);
    expect(j0.status?.startTime).toBeTruthy();
    const pod = first[0];
    expect(pod.metadata?.generateName).toBe('pi-');
    expect(pod.metadata?.finalizers).toContain('batch.kubernetes.io/job-tracking');
    expect(pod.metadata?.labels).toMatchObject({
      'batch.kubernetes.io/job-name': 'pi', 'job-name': 'pi',
      'batch.kubernetes.io/controller-uid': j0.metadata?.uid, 'controller-uid': j0.metadata?.uid,
    });
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'pi', uid: j0.metadata?.uid, controller: true, blockOwnerDeletion: true });

    await clock.advance(5000);
    await jobWhere('pi', 'succeeded 2 and two new pods', (j) => j.status?.succeeded === 2 && j.status?.active === 2);
    await running('pi', 2);
    await clock.advance(5000);
    const done = await jobWhere('pi', 'Complete', (j) => condition(j, 'Complete')?.status === 'True');
    expect(done.status).toMatchObject({ succeeded: 4, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(done.status?.active ?? 0).toBe(0);
    expect(condition(done, 'SuccessCriteriaMet')).toMatchObject({ status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(done.status?.completionTime).toBe(condition(done, 'Complete')?.lastTransitionTime);
    expect(seconds(done.status?.completionTime) - seconds(done.status?.startTime)).toBe(10);
    const pods = await podsOf('pi');
    expect(pods).toHaveLength(4);
    expect(pods.every((p) => p.status?.phase === 'Succeeded' && !p.metadata?.finalizers?.length)).toBe(true);

    const events = await eventsOf('pi');
    expect(events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata?.name}`).sort());
    expect(events.find((e) => e.reason === 'Completed')?.message).toBe('Job completed');

    // The counts live in the Job, not in its pods.
    await cluster.client.deleteCollection(gvr.pods, { namespace: ns, labelSelector: 'batch.kubernetes.io/job-name=pi' });
    await waitFor('pods of pi gone', async () => (await podsOf('pi')).length === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await getJob('pi')).status?.succeeded).toBe(4);
  });

  it('runs an Indexed Job: one pod per completion index, with its annotation, label, hostname and env', async () => {
    await cluster.client.create(gvr.jobs, job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, { [hollowAnnotations.runSeconds]: '2' }));
    const pods = await running('idx', 3);
    const byIndex = new Map(pods.map((p) => [p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
    expect([...byIndex.keys()].sort()).toEqual(['0', '1', '2']);
    for (const [ix, p] of byIndex) {
      expect(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index']).toBe(ix);
      expect(p.metadata?.generateName).toBe(`idx-${ix}-`);
      expect(p.spec?.hostname).toBe(`idx-${ix}`);
      expect(p.spec?.containers[0].env).toContainEqual({
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
      });
    }
    await clock.advance(2000);
    const done = await jobWhere('idx', 'Complete', (j) => condition(j, 'Complete')?.status === 'True');
    expect(done.status?.completedIndexes).toBe('0-2');
    expect(done.status?.succeeded).toBe(3);
  });

  it('retries failed pods after 10 s, then 20 s, and fails with BackoffLimitExceeded after backoffLimit + 1 failures', async () => {
    const failing = { [hollowAnnotations.runSeconds]: '1', [hollowAnnotations.exitCode]: '1' };
    await cluster.client.create(gvr.jobs, job('flaky', { backoffLimit: 2 }, failing));
    const created: Pod[] = [];
    for (const [attempt, delay] of [[1, 10], [2, 20], [3, 0]] as const) {
      const [pod] = (await running('flaky', 1));
      created.push(pod);
      await clock.advance(1000);
      await jobWhere('flaky', `failed ${attempt}`, (j) => j.status?.failed === attempt);
      if (delay === 0) break;
      // Not a moment before the backoff has passed …
      await clock.advance(delay * 1000 - 1000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await podsOf('flaky')).length).toBe(attempt);
      // … and at once when it has.
      await clock.advance(1000);
      await waitFor(`attempt ${attempt + 1}`, async () => (await podsOf('flaky')).length === attempt + 1);
    }
    const failed = await jobWhere('flaky', 'Failed', (j) => condition(j, 'Failed')?.status === 'True');
    expect(condition(failed, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(condition(failed, 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
    expect(failed.status?.failed).toBe(3);
    expect(failed.status?.completionTime).toBeUndefined();
    const pods = await podsOf('flaky');
    expect(pods).toHaveLength(3);
    // Each retry was created exactly the backoff after the previous pod finished.
    const finished = (p: Pod) => seconds(pods.find((x) => x.metadata?.uid === p.metadata?.uid)!.status?.containerStatuses?.[0].state?.terminated?.finishedAt);
    expect(seconds(created[1].metadata?.creationTimestamp) - finished(created[0])).toBe(10);
    expect(seconds(created[2].metadata?.creationTimestamp) - finished(created[1])).toBe(20);
    const events = await eventsOf('flaky');
    expect(events.find((e) => e.reason === 'BackoffLimitExceeded')).toMatchObject({ type: 'Warning', message: 'Job has reached the specified backoff limit' });
  });

  it('fails a Job active longer than activeDeadlineSeconds and deletes its pods', async () => {
    await cluster.client.create(gvr.jobs, job('slow', { parallelism: 2, completions: 2, activeDeadlineSeconds: 30 }));
    await running('slow', 2);
    await clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(condition(await getJob('slow'), 'Failed')).toBeUndefined();
    await clock.advance(1000);
    const failed = await jobWhere('slow', 'Failed', (j) => condition(j, 'Failed')?.status === 'True');
    expect(condition(failed, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(failed.status).toMatchObject({ failed: 2, terminating: 0 });
    await waitFor('pods of slow gone', async () => (await podsOf('slow')).length === 0);
    const events = await eventsOf('slow');
    expect(events.find((e) => e.reason === 'DeadlineExceeded')?.message).toBe('Job was active longer than specified deadline');
    expect(events.filter((e) => e.reason === 'SuccessfulDelete')).toHaveLength(2);
  });

  it('counts a running pod deleted by someone else as failed, and replaces it after the backoff', async () => {
    await cluster.client.create(gvr.jobs, job('victim', {}));
    const [pod] = await running('victim', 1);
    await cluster.client.delete(gvr.pods, ns, pod.metadata!.name!);
    const j = await jobWhere('victim', 'failed 1', (x) => x.status?.failed === 1);
    expect(j.status?.uncountedTerminatedPods).toEqual({});
    await waitFor('the deleted pod gone', async () => !(await podsOf('victim')).some((p) => p.metadata?.uid === pod.metadata?.uid));
    expect(await podsOf('victim')).toHaveLength(0);
    await clock.advance(10_000);
    await running('victim', 1);
    await cluster.client.delete(gvr.jobs, ns, 'victim', { propagationPolicy: 'Background' });
  });

  it('suspends and resumes: no pods while suspended, the Suspended condition, a fresh start time', async () => {
    await cluster.client.create(gvr.jobs, job('nap', { parallelism: 2, completions: 2, suspend: true }));
    const suspended = await jobWhere('nap', 'Suspended', (j) => condition(j, 'Suspended')?.status === 'True');
    expect(condition(suspended, 'Suspended')).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    expect(suspended.status?.startTime).toBeUndefined();
    expect(await podsOf('nap')).toHaveLength(0);

    await cluster.client.patch(gvr.jobs, ns, 'nap', { spec: { suspend: false } }, 'merge');
    await running('nap', 2);
    const resumed = await jobWhere('nap', 'resumed', (j) => condition(j, 'Suspended')?.status === 'False' && j.status?.active === 2);
    expect(condition(resumed, 'Suspended')).toMatchObject({ reason: 'JobResumed', message: 'Job resumed' });
    expect(resumed.status?.startTime).toBeTruthy();

    await cluster.client.patch(gvr.jobs, ns, 'nap', { spec: { suspend: true } }, 'merge');
    await waitFor('pods of nap deleted', async () => (await podsOf('nap')).length === 0);
    const again = await jobWhere('nap', 'suspended again', (j) => condition(j, 'Suspended')?.status === 'True' && !j.status?.active);
    expect(again.status?.failed ?? 0).toBe(0); // deleted by suspend, not failed
    const reasons = (await eventsOf('nap')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Suspended', 'Resumed', 'SuccessfulCreate', 'SuccessfulDelete']));
  });

  it('deletes a finished Job and its pods ttlSecondsAfterFinished after it finished', async () => {
    await cluster.client.create(gvr.jobs, job('brief', { completions: 2, parallelism: 2, ttlSecondsAfterFinished: 30 }, { [hollowAnnotations.runSeconds]: '1' }));
    await running('brief', 2);
    await clock.advance(1000);
    await jobWhere('brief', 'Complete', (j) => condition(j, 'Complete')?.status === 'True');
    await clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await getJob('brief')).metadata?.deletionTimestamp).toBeUndefined();
    await clock.advance(1000);
    // Foreground, as upstream: the Job waits for the garbage collector to delete its pods.
    const deleting = await jobWhere('brief', 'being deleted', (j) => !!j.metadata?.deletionTimestamp);
    expect(deleting.metadata?.finalizers).toContain('foregroundDeletion');
    await waitFor('Job brief gone', async () => !(await cluster.client.list<Job>(gvr.jobs, { namespace: ns })).items.some((j) => j.metadata?.name === 'brief'), 30_000);
    await waitFor('pods of brief gone', async () => (await podsOf('brief')).length === 0, 30_000);
  });

  it('shows Jobs in kubectl get jobs', async () => {
    const kubectl = new Kubectl('1.35', cluster.kubeconfigPath);
    try {
      const out = await kubectl.ok(['get', 'jobs', 'pi', 'flaky']);
      expect(out).toMatch(/^pi\s+Complete\s+4\/4\s+10s/m);
      expect(out).toMatch(/^flaky\s+Failed\s+0\/1/m);
    } finally {
      await kubectl.cleanup();
    }
  });
});
