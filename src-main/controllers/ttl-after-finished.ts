// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
// spec.ttlSecondsAfterFinished is deleted that long after its Complete/Failed condition's
// lastTransitionTime, with its pods. As upstream, the deletion is Foreground (the Job goes last,
// after the garbage collector has deleted its pods) and carries a uid precondition, and the TTL
// is checked once more against a fresh read first, in case it was just changed.
import type { Job } from 'kubernetes-types/batch/v1';
import { isNotFound } from '../client/api-error.ts';
import type { Informer } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { finishedCondition } from './job/conditions.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished != null && !!finishedCondition(job) && !job.metadata?.deletionTimestamp;
}

/** ms until the Job's TTL expires (≤ 0: expired), or undefined if it has none to expire. */
function timeLeft(job: Job, now: number): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const finishedAt = Date.parse(finishedCondition(job)?.lastTransitionTime ?? '');
  if (!Number.isFinite(finishedAt)) throw new Error(`unable to find the time when the Job ${job.metadata?.namespace}/${job.metadata?.name} finished`);
  return finishedAt + job.spec!.ttlSecondsAfterFinished! * 1000 - now;
}

export class TTLAfterFinishedController extends QueueController {
  private readonly jobs: Informer<Job>;

  constructor(ctx: ControllerContext) {
    super('ttl-after-finished-controller', ctx, 2);
    this.jobs = ctx.informers.informer<Job>(gvr.jobs);
    const enqueue = (job: Job): void => {
      if (needsCleanup(job)) this.enqueue(job);
    };
    this.jobs.on('add', enqueue).on('update', (_old, job) => enqueue(job));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const job = this.jobs.get(key);
    if (!job) return;
    const left = timeLeft(job, this.ctx.clock.now());
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };
    let fresh: Job;
    try {
      fresh = await this.ctx.client.get<Job>(gvr.jobs, job.metadata?.namespace, job.metadata!.name!);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = timeLeft(fresh, this.ctx.clock.now());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    await this.ctx.client.delete(gvr.jobs, fresh.metadata?.namespace, fresh.metadata!.name!, {
      propagationPolicy: 'Foreground',
      preconditions: { uid: fresh.metadata?.uid },
    });
  }
}
