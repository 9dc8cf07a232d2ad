// The scheduling queue (pkg/scheduler/backend/queue PriorityQueue): three places a pending pod
// can wait.
// - activeQ: pods to try now, highest priority first, then the longest waiting (PrioritySort).
// - backoffQ: pods that failed recently, each waiting out its backoff — 1 s after the first
//   attempt, doubling up to 10 s (podInitialBackoffSeconds / podMaxBackoffSeconds).
// - unschedulable: pods no node could take. They stay parked until a cluster event that one of
//   the plugins that rejected them cares about (a node added, a pod deleted ...), then go to
//   backoffQ or activeQ; after 5 minutes parked they are retried anyway.
// Upstream flushes both on fixed ticks (1 s and 30 s). Here one timer waits for the earliest
// backoff end and one for the oldest parked pod, and only while there is such a pod: on a fake
// clock, a test that moves time by an hour does not fire thousands of idle ticks.
import { realClock, type Clock } from '../util/clock.ts';
import { AllClusterEvents, type ClusterEventMask } from './cluster-events.ts';
import { Heap } from './heap.ts';
import type { PodInfo } from './pod-info.ts';

export interface QueuedPodInfo {
  info: PodInfo;
  /** When it last entered the queue (on the scheduler's clock): orders activeQ, times the 5-minute retry. */
  timestamp: number;
  /** When its backoff started (on the backoff clock). */
  backoffStart: number;
  seq: number;
  /** Scheduling attempts so far. */
  attempts: number;
  initialAttemptTimestamp?: number;
  /** The events that may make it schedulable (those of the plugins that rejected it). */
  waitingFor: ClusterEventMask;
  where: 'active' | 'backoff' | 'unschedulable' | 'inFlight';
}

export interface SchedulingQueueOptions {
  clock: Clock;
  /**
   * The time backoffs run on. Real time by default, as the controllers' work queue retries
   * failures: a test that drives the cluster with a fake clock does not have to move it to see
   * a pod retried a second later.
   */
  backoffClock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** podMaxInUnschedulablePodsDuration. */
  maxInUnschedulableMs?: number;
}

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPodInfo>();
  private readonly activeQ = new Heap<QueuedPodInfo>((a, b) =>
    a.info.priority !== b.info.priority ? a.info.priority > b.info.priority : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq);
  private readonly backoffQ = new Heap<QueuedPodInfo>((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Set<QueuedPodInfo>();
  private waiter?: (qp: QueuedPodInfo | undefined) => void;
  private backoffTimer?: { at: number; cancel: () => void };
  private leftoverTimer?: { at: number; cancel: () => void };
  private closed = false;
  private seq = 0;
  private readonly clock: Clock;
  private readonly backoffClock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;

  constructor(opts: SchedulingQueueOptions) {
    this.clock = opts.clock;
    this.backoffClock = opts.backoffClock ?? realClock;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? 5 * 60_000;
  }

  /** A new pending pod. */
  add(info: PodInfo): void {
    if (this.closed) return;
    const known = this.pods.get(info.key);
    if (known) {
      this.update(info, true);
      return;
    }
    const qp: QueuedPodInfo = { info, timestamp: this.clock.now(), backoffStart: 0, seq: this.seq++, attempts: 0, waitingFor: 0, where: 'active' };
    this.pods.set(info.key, qp);
    this.toActive(qp);
  }

  /**
   * A newer version of a pending pod. A pod parked as unschedulable is retried when its spec or
   * metadata changed (upstream's isPodUpdated: status-only updates, such as the scheduler's own
   * condition, do not count).
   */
  update(info: PodInfo, changed: boolean): void {
    const qp = this.pods.get(info.key);
    if (!qp) {
      this.add(info);
      return;
    }
    qp.info = info;
    if (qp.where === 'active') this.activeQ.fix(qp);
    else if (qp.where === 'unschedulable' && changed) {
      this.unschedulable.delete(qp);
      this.requeue(qp);
    }
  }

  delete(key: string): void {
    const qp = this.pods.get(key);
    if (!qp) return;
    this.pods.delete(key);
    this.activeQ.remove(qp);
    this.backoffQ.remove(qp);
    this.unschedulable.delete(qp);
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  /** The next pod to schedule, waiting while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const qp = this.activeQ.pop();
    if (qp) return Promise.resolve(this.startAttempt(qp));
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** The attempt found no node: park the pod until an event it waits for. */
  addUnschedulable(qp: QueuedPodInfo, waitingFor: ClusterEventMask): void {
    if (this.closed || this.pods.get(qp.info.key) !== qp) return;
    qp.timestamp = this.clock.now();
    qp.backoffStart = this.backoffClock.now();
    qp.waitingFor = waitingFor || AllClusterEvents;
    qp.where = 'unschedulable';
    this.unschedulable.add(qp);
    this.armLeftoverTimer();
  }

  /** Retry after the pod's backoff (a failed binding, an error). */
  addBackoff(qp: QueuedPodInfo): void {
    if (this.closed) return;
    const known = this.pods.get(qp.info.key);
    if (known && known !== qp) return; // a newer copy is already queued
    this.pods.set(qp.info.key, qp);
    qp.timestamp = this.clock.now();
    qp.backoffStart = this.backoffClock.now();
    this.requeue(qp);
  }

  /** The pod was placed (assumed): the queue is done with it. */
  done(key: string): void {
    const qp = this.pods.get(key);
    if (qp?.where === 'inFlight') this.pods.delete(key);
  }

  /** A cluster event: unschedulable pods waiting for it go back to backoffQ or activeQ. */
  moveOnEvent(event: ClusterEventMask): void {
    if (this.unschedulable.size === 0) return;
    for (const qp of [...this.unschedulable]) {
      if ((qp.waitingFor & event) === 0) continue;
      this.unschedulable.delete(qp);
      this.requeue(qp);
    }
  }

  /** Moves pods whose backoff has ended to activeQ (flushBackoffQCompleted). */
  flushBackoffCompleted(): void {
    const now = this.backoffClock.now();
    for (;;) {
      const qp = this.backoffQ.peek();
      if (!qp || this.backoffExpiry(qp) > now) break;
      this.backoffQ.pop();
      this.toActive(qp);
    }
    this.armBackoffTimer();
  }

  /** Retries pods parked for longer than maxInUnschedulableMs (flushUnschedulablePodsLeftover). */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const qp of [...this.unschedulable]) {
      if (now - qp.timestamp < this.maxInUnschedulableMs) continue;
      this.unschedulable.delete(qp);
      this.requeue(qp);
    }
    this.armLeftoverTimer();
  }

  backoffDuration(qp: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < qp.attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  counts(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    this.backoffTimer?.cancel();
    this.leftoverTimer?.cancel();
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }

  private backoffExpiry(qp: QueuedPodInfo): number {
    return qp.backoffStart + this.backoffDuration(qp);
  }

  /** One timer at the earliest backoff end, re-armed when that changes. */
  private armBackoffTimer(): void {
    const first = this.backoffQ.peek();
    const at = first ? this.backoffExpiry(first) : undefined;
    if (this.backoffTimer && this.backoffTimer.at === at) return;
    this.backoffTimer?.cancel();
    this.backoffTimer = undefined;
    if (at === undefined || this.closed) return;
    const cancel = this.backoffClock.after(at - this.backoffClock.now(), () => {
      this.backoffTimer = undefined;
      this.flushBackoffCompleted();
    });
    this.backoffTimer = { at, cancel };
  }

  /** One timer for when the longest-parked pod has waited maxInUnschedulableMs. */
  private armLeftoverTimer(): void {
    // Parked pods are kept in the order they were parked, so the first is the oldest.
    const oldest = this.unschedulable.values().next().value;
    const at = oldest ? oldest.timestamp + this.maxInUnschedulableMs : undefined;
    if (this.leftoverTimer && this.leftoverTimer.at === at) return;
    if (this.leftoverTimer && at !== undefined && this.leftoverTimer.at < at) return; // fires early, re-arms then
    this.leftoverTimer?.cancel();
    this.leftoverTimer = undefined;
    if (at === undefined || this.closed) return;
    const cancel = this.clock.after(at - this.clock.now(), () => {
      this.leftoverTimer = undefined;
      this.flushUnschedulableLeftover();
    });
    this.leftoverTimer = { at, cancel };
  }

  private requeue(qp: QueuedPodInfo): void {
    if (qp.attempts > 0 && this.backoffExpiry(qp) > this.backoffClock.now()) {
      qp.where = 'backoff';
      this.backoffQ.push(qp);
      if (this.backoffQ.peek() === qp) this.armBackoffTimer();
    } else {
      this.toActive(qp);
    }
  }

  private startAttempt(qp: QueuedPodInfo): QueuedPodInfo {
    qp.where = 'inFlight';
    qp.attempts++;
    qp.initialAttemptTimestamp ??= this.clock.now();
    return qp;
  }

  private toActive(qp: QueuedPodInfo): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(this.startAttempt(qp));
      return;
    }
    qp.where = 'active';
    qp.seq = this.seq++;
    this.activeQ.push(qp);
  }
}
