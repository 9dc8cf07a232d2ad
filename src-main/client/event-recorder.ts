// Events, as client-go's record.EventRecorder writes them: a core/v1 Event per (object, type,
// reason, message), and the same event again only bumps its count and lastTimestamp. Recording
// never blocks the caller: events go through a bounded queue with a few writes in flight, and
// when the queue is full new events are dropped, as upstream's broadcaster drops them, so that a
// burst of 10,000 pod creations does not wait on 10,000 event writes. Like upstream's spam
// filter, one source may record 25 events about one object at once, then one per 5 minutes:
// a ReplicaSet scaled to 100 says "Created pod" 25 times, not 100.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1';
import { isNotFound } from './api-error.ts';
import { apiVersionOf, type GroupVersionResource } from './gvr.ts';
import type { KubeClient } from './kube-client.ts';
import { gvr } from './resources.ts';
import type { KubeObject } from './types.ts';
import { realClock, type Clock } from '../util/clock.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component / reportingComponent: "deployment-controller", "default-scheduler". */
  component: string;
  host?: string;
  clock?: Clock;
  /** Events waiting beyond this are dropped. */
  maxQueued?: number;
  inFlight?: number;
}

/** What an event is about: an object (its kind comes from `kind` or the caller). */
export interface Involved {
  kind: string;
  apiVersion: string;
  metadata?: KubeObject['metadata'];
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

const maxRemembered = 4096;
// client-go's defaultSpamBurst and defaultSpamQPS (1/300 s).
const spamBurst = 25;
const spamRefillMs = 300_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly queue: (() => Promise<void>)[] = [];
  private running = 0;
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, Bucket>();
  private dropped = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly opts: EventRecorderOptions,
  ) {
    this.clock = opts.clock ?? realClock;
  }

  /** Records an event about obj (fire and forget). */
  event(obj: Involved, type: EventType, reason: string, message: string): void {
    const ref = referenceOf(obj);
    const namespace = ref.namespace || 'default';
    const objectKey = [ref.uid, ref.kind, ref.namespace, ref.name, ref.apiVersion].join('\u0000');
    const key = [objectKey, type, reason, message].join('\u0000');
    if (!this.takeToken(objectKey) || this.queue.length >= (this.opts.maxQueued ?? 1000)) {
      this.dropped++;
      return;
    }
    // the time of the occurrence, not of the write, which may wait in the queue
    const at = this.clock.now();
    this.queue.push(() => this.write(key, ref, namespace, type, reason, message, at));
    this.pump();
  }

  /** The spam filter's token bucket for one object: burst 25, one more every 5 minutes. */
  private takeToken(objectKey: string): boolean {
    const now = this.clock.now();
    let b = this.buckets.get(objectKey);
    if (!b) {
      if (this.buckets.size >= maxRemembered) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(objectKey, (b = { tokens: spamBurst, at: now }));
    }
    const refill = Math.floor((now - b.at) / spamRefillMs);
    if (refill > 0) {
      b.tokens = Math.min(spamBurst, b.tokens + refill);
      b.at += refill * spamRefillMs;
    }
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }

  /** How many events were dropped because the queue was full or the object spoke too often. */
  droppedCount(): number {
    return this.dropped;
  }

  /** Resolves when every queued event is written (tests). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running < (this.opts.inFlight ?? 4) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      job().catch(() => undefined).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async write(key: string, ref: ObjectReference, namespace: string, type: EventType, reason: string, message: string, at: number): Promise<void> {
    const now = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
    const seen = this.seen.get(key);
    if (seen) {
      seen.count++;
      try {
        await this.client.patch(gvr.events, seen.namespace, seen.name, { count: seen.count, lastTimestamp: now }, 'merge');
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.seen.delete(key); // it was deleted (TTL, namespace gone): write it anew
      }
    }
    const name = `${ref.name}.${(at * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await this.client.create(gvr.events, event as never);
    if (this.seen.size >= maxRemembered) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1 });
  }
}

export function referenceOf(obj: Involved): ObjectReference {
  const m = obj.metadata ?? {};
  return {
    kind: obj.kind,
    apiVersion: obj.apiVersion,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    name: m.name,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
}

/** An Involved for an object of a resource whose objects lack kind/apiVersion (informer items have them). */
export function involved(obj: KubeObject, kind: string, resource: Pick<GroupVersionResource, 'group' | 'version'>): Involved {
  return { kind, apiVersion: apiVersionOf(resource), metadata: obj.metadata };
}
