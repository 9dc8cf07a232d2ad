// What one sync of a Job works with (upstream's syncJobCtx) and the parts of the controller the
// sync steps share.
import type { Job, JobCondition } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { involved, type EventRecorder, type EventType } from '../../client/event-recorder.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import type { Clock } from '../../util/clock.ts';
import type { ControllerExpectations } from '../expectations.ts';
import type { BackoffRecord, BackoffStore } from './backoff.ts';
import type { FinalizerExpectations } from './finalizer-expectations.ts';
import type { Intervals } from './indexed.ts';

export interface JobDeps {
  client: KubeClient;
  clock: Clock;
  recorder: EventRecorder;
  /** Pod creations and deletions asked for, per job key. */
  expectations: ControllerExpectations;
  /** Tracking finalizers removed, per job key. */
  finalizers: FinalizerExpectations;
  backoff: BackoffStore;
}

export interface SyncJobContext {
  key: string;
  /** A copy of the cached Job; its status is what this sync will write. */
  job: Job;
  pods: Pod[];
  activePods: Pod[];
  succeeded: number;
  failed: number;
  ready: number;
  terminating: number;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
  newBackoffRecord: BackoffRecord;
  expectedRemovedFinalizers: ReadonlySet<string>;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  /** The condition the Job is about to finish with (or the interim one first). */
  finishedCondition?: JobCondition;
  /** The earliest time the sync wants to look again, in ms from now. */
  requeueAfterMs?: number;
}

export function requeueAfter(ctx: SyncJobContext, ms: number): void {
  const delay = Math.max(0, ms);
  ctx.requeueAfterMs = ctx.requeueAfterMs === undefined ? delay : Math.min(ctx.requeueAfterMs, delay);
}

export function recordJobEvent(deps: JobDeps, job: Job, type: EventType, reason: string, message: string): void {
  deps.recorder.event(involved(job, 'Job', gvr.jobs), type, reason, message);
}
