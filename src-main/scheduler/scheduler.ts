// The scheduler (kube-scheduler's default-scheduler), run by the controller manager on the shared
// informers. One loop takes the next pod from the scheduling queue and runs its scheduling cycle
// synchronously over the cache — filter, score, pick a node, assume the pod there — then leaves
// the binding cycle (POST pods/<name>/binding) in flight and moves on. A failed cycle parks the
// pod with the upstream message in its PodScheduled condition and a FailedScheduling event; a
// failed binding gives the place back and retries the pod after its backoff.
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../client/api-error.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import type { Informer } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import type { Controller, ControllerContext } from '../controllers/context.ts';
import { Binder } from './binder.ts';
import { SchedulerCache } from './cache.ts';
import { ClusterEvent, type ClusterEventMask } from './cluster-events.ts';
import { addNodeHandlers, addPodHandlers, needsScheduling } from './event-handlers.ts';
import { recordFailure, recordScheduled, type FailureReason } from './pod-condition.ts';
import { newPodInfo } from './pod-info.ts';
import { defaultProfile, type Profile } from './plugins/index.ts';
import { Algorithm } from './schedule-one.ts';
import { SchedulingQueue, type QueuedPodInfo } from './scheduling-queue.ts';

export interface SchedulerOptions {
  /** 0 (default): upstream's adaptive percentage. */
  percentageOfNodesToScore?: number;
  /** Bindings in flight at once. */
  maxBindsInFlight?: number;
  profile?: Profile;
}

const nextTick = (): Promise<void> => new Promise((r) => setImmediate(r));

export class Scheduler implements Controller {
  readonly name: string;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  private readonly pods: Informer<Pod>;
  private readonly algorithm: Algorithm;
  private readonly binder: Binder;
  private readonly recorder: EventRecorder;
  private readonly profile: Profile;
  private readonly pluginEvents = new Map<string, ClusterEventMask>();
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly ctx: ControllerContext, opts: SchedulerOptions = {}) {
    this.profile = opts.profile ?? defaultProfile();
    this.name = this.profile.schedulerName;
    const namespaces = ctx.informers.informer<Namespace>(gvr.namespaces);
    this.pods = ctx.informers.informer<Pod>(gvr.pods);
    const nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.cache = new SchedulerCache((ns) => namespaces.get(ns)?.metadata?.labels);
    this.queue = new SchedulingQueue({ clock: ctx.clock });
    this.algorithm = new Algorithm(this.profile, this.cache, { percentageOfNodesToScore: opts.percentageOfNodesToScore });
    this.binder = new Binder(ctx.client, opts.maxBindsInFlight);
    this.recorder = ctx.recorder(this.name);
    for (const p of this.profile.filters) this.pluginEvents.set(p.name, p.events);
    const target = { cache: this.cache, queue: this.queue, responsibleFor: (pod: Pod) => this.responsibleFor(pod) };
    addPodHandlers(this.pods, target);
    addNodeHandlers(nodes, target);
  }

  responsibleFor(pod: Pod): boolean {
    const name = pod.spec?.schedulerName;
    return !name || name === this.name;
  }

  start(): void {
    this.running = this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.queue.close();
  }

  /** Resolves when the loop has ended and no binding is in flight (after stop()). */
  async whenStopped(): Promise<void> {
    await this.running;
    await this.binder.idle();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.binder.slot();
      const qp = await this.queue.pop();
      if (!qp) return;
      try {
        this.scheduleOne(qp);
      } catch (err) {
        this.ctx.log(`${this.name}: ${qp.info.key}: ${(err as Error).stack ?? err}`);
        this.queue.addBackoff(qp);
      }
      // Let informer events, binding answers and (in-process) the API server run between pods.
      await nextTick();
    }
  }

  /** One scheduling cycle, synchronous from pop to assume. */
  private scheduleOne(qp: QueuedPodInfo): void {
    const key = qp.info.key;
    const pod = this.pods.get(key);
    // skipPodSchedule: deleted, replaced, bound by someone else or being deleted meanwhile.
    if (!pod || pod.metadata?.uid !== qp.info.uid || !needsScheduling(pod) || this.cache.has(key)) {
      this.queue.done(key);
      return;
    }
    const outcome = this.algorithm.schedule(qp.info);
    if (outcome.kind === 'scheduled') {
      this.cache.assumePod(qp.info, outcome.node.name);
      this.queue.done(key);
      void this.bindingCycle(qp, outcome.node.name);
      return;
    }
    let waitingFor: ClusterEventMask = ClusterEvent.NodeAdd;
    if (outcome.kind === 'unschedulable') {
      waitingFor = 0;
      for (const p of outcome.diagnosis.rejectors) waitingFor |= this.pluginEvents.get(p) ?? 0;
    }
    this.queue.addUnschedulable(qp, waitingFor);
    void this.tellPod(pod, 'Unschedulable', outcome.message);
  }

  private async bindingCycle(qp: QueuedPodInfo, nodeName: string): Promise<void> {
    const key = qp.info.key;
    try {
      await this.binder.bind(qp.info.pod, nodeName);
      recordScheduled(this.recorder, qp.info.pod, nodeName);
    } catch (err) {
      // The place it held is free again: pods waiting for room may fit now.
      this.cache.forgetPod(key);
      this.queue.moveOnEvent(ClusterEvent.AssignedPodDelete);
      const latest = this.pods.get(key);
      if (this.stopped || !latest || latest.metadata?.uid !== qp.info.uid || !needsScheduling(latest)) return;
      qp.info = newPodInfo(latest);
      this.queue.addBackoff(qp);
      void this.tellPod(latest, 'SchedulerError', `Binding rejected: ${(err as Error).message}`);
    }
  }

  private async tellPod(pod: Pod, reason: FailureReason, message: string): Promise<void> {
    try {
      await recordFailure(this.ctx.client, this.recorder, pod, reason, message, this.ctx.clock.now());
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err) && !this.stopped) this.ctx.log(`${this.name}: status of ${pod.metadata?.namespace}/${pod.metadata?.name}: ${(err as Error).message}`);
    }
  }
}
