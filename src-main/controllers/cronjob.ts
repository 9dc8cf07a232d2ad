// The CronJob controller (pkg/controller/cronjob, the v2 controller): each CronJob is looked at
// when it or one of its Jobs changes, and again just after its next schedule time through the
// queue's delayed add on the controller clock — no polling. The sync is in cronjob/.
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { involved } from '../client/event-recorder.ts';
import { objectKey, type Informer } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import { cloneJSON } from '../util/clone-json.ts';
import { parseCron } from '../util/cron.ts';
import type { ControllerContext } from './context.ts';
import { controllerRefOf } from './controller-ref.ts';
import { nextScheduleDelayMs } from './cronjob/schedule.ts';
import { cleanupFinishedJobs, syncCronJob, type CronJobDeps } from './cronjob/sync.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

/** Jobs by "namespace/name" of the CronJob that controls them. */
const jobsByCronJobIndex = 'cronjob-controller/owner';

function cronJobRef(job: Job): OwnerReference | undefined {
  const ref = controllerRefOf(job);
  return ref?.kind === 'CronJob' ? ref : undefined;
}

export class CronJobController extends QueueController {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly deps: CronJobDeps;

  constructor(ctx: ControllerContext) {
    super('cronjob-controller', ctx, 2);
    this.cronJobs = ctx.informers.informer<CronJob>(gvr.cronJobs);
    this.jobs = ctx.informers.informer<Job>(gvr.jobs);
    this.jobs.addIndex(jobsByCronJobIndex, (job) => {
      const ref = cronJobRef(job);
      return ref ? [`${job.metadata?.namespace}/${ref.name}`] : [];
    });
    this.deps = { client: ctx.client, clock: ctx.clock, recorder: ctx.recorder('cronjob-controller') };
    this.cronJobs
      .on('add', this.enqueue)
      .on('update', (old, cur) => this.updateCronJob(old, cur))
      .on('delete', this.enqueue);
    this.jobs
      .on('add', (job) => this.enqueueOwner(job))
      .on('update', (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return; // a resync
        if (cronJobRef(old)?.uid !== cronJobRef(cur)?.uid) this.enqueueOwner(old);
        this.enqueueOwner(cur);
      })
      .on('delete', (job) => this.enqueueOwner(job));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.cronJobs.get(key);
    if (!cached) return;
    const jobs = this.jobs.byIndex(jobsByCronJobIndex, key);
    // One copy collects every change, so the status is written once.
    const cj = cloneJSON(cached);
    const cleaned = await cleanupFinishedJobs(this.deps, cj, jobs);
    const result = await syncCronJob(this.deps, cj, jobs);
    if (cleaned || result.updateStatus) await this.ctx.client.updateStatus(gvr.cronJobs, cj);
    if (result.requeueAfterMs !== undefined) return { requeueAfterMs: result.requeueAfterMs };
    if (result.error) throw result.error;
  }

  /** Queues the CronJob that controls the Job, if it is still that CronJob (same uid). */
  private enqueueOwner(job: Job): void {
    const ref = cronJobRef(job);
    if (!ref) return;
    const cj = this.cronJobs.get(`${job.metadata?.namespace}/${ref.name}`);
    if (cj?.metadata?.uid === ref.uid) this.enqueue(cj);
  }

  /**
   * A new schedule or time zone: look again at the new next time (sooner wins in the queue);
   * any other change: look now.
   */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    if (old.spec?.schedule === cur.spec?.schedule && (old.spec?.timeZone ?? null) === (cur.spec?.timeZone ?? null)) {
      this.enqueue(cur);
      return;
    }
    let delay: number;
    try {
      delay = nextScheduleDelayMs(cur, this.ctx.clock.now(), parseCron(cur.spec?.schedule ?? ''));
    } catch {
      this.deps.recorder.event(involved(cur, 'CronJob', gvr.cronJobs), 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec?.schedule}`);
      return;
    }
    this.queue.addAfter(objectKey(cur), delay);
  }
}
