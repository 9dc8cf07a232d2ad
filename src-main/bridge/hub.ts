// One hub per main process: it shares one ClusterCache between every connected renderer (Electron
// windows, browser tabs) and runs their calls. A transport adapts its connection to an EventSink
// and forwards calls to `invoke`. The cluster behind it can be swapped (another kubeconfig
// context): every subscriber then starts over with the new cluster's snapshots.
import type { ClusterCache } from './cluster-cache.ts';
import { dispatch, type MethodTable } from './method.ts';
import type { BridgeEvent, ClusterInfo } from './protocol.ts';
import type { Session } from './session.ts';

export interface EventSink {
  send(event: BridgeEvent): void;
}

export interface Subscription {
  /** Stops sending to the sink; the cache keeps running for others. */
  close(): void;
}

/** What the hub serves: one cluster's cache and the calls against it. */
export interface HubCluster {
  cache: ClusterCache;
  methods: MethodTable;
  info?: ClusterInfo;
}

/** How long a failed cache start waits before trying again for the subscribers still there. */
const RETRY_MS = 2000;

interface Subscriber {
  sink: EventSink;
  /** Bumped on every (re)attach, so that a start finishing for an older cluster is ignored. */
  generation: number;
  retry?: ReturnType<typeof setTimeout>;
  live: boolean;
}

export class BridgeHub {
  #cluster: HubCluster;
  #unsubscribeDeltas: () => void;
  readonly #subscribers = new Set<Subscriber>();
  #closed = false;

  constructor(cache: ClusterCache, methods: MethodTable, info?: ClusterInfo) {
    this.#cluster = { cache, methods, info };
    this.#unsubscribeDeltas = this.#listen(cache);
  }

  get info(): ClusterInfo | undefined {
    return this.#cluster.info;
  }

  /**
   * Starts streaming to a sink: a status, a snapshot of every kind once the cache is listed, then
   * deltas. The cache starts with the first subscriber, so a headless server watches nothing
   * until someone looks.
   */
  subscribe(sink: EventSink): Subscription {
    const sub: Subscriber = { sink, generation: 0, live: false };
    this.#subscribers.add(sub);
    this.#attach(sub);
    return {
      close: () => {
        clearTimeout(sub.retry);
        this.#subscribers.delete(sub);
      },
    };
  }

  /** Serves another cluster from now on; the old one's cache is stopped. */
  replace(next: HubCluster): void {
    if (this.#closed) return;
    this.#unsubscribeDeltas();
    this.#cluster.cache.stop();
    this.#cluster = next;
    this.#unsubscribeDeltas = this.#listen(next.cache);
    for (const sub of this.#subscribers) this.#attach(sub);
  }

  /** Runs one call from a renderer's session; rejects with a ServiceError or the API's error. */
  invoke(method: unknown, params: unknown, session: Session): Promise<unknown> {
    return dispatch(this.#cluster.methods, method, params, { session });
  }

  close(): void {
    this.#closed = true;
    for (const sub of this.#subscribers) clearTimeout(sub.retry);
    this.#subscribers.clear();
    this.#unsubscribeDeltas();
    this.#cluster.cache.stop();
  }

  #listen(cache: ClusterCache): () => void {
    return cache.onDelta((changes) => {
      for (const sub of this.#subscribers) if (sub.live) sub.sink.send({ type: 'delta', changes });
    });
  }

  #attach(sub: Subscriber): void {
    const generation = ++sub.generation;
    const cluster = this.#cluster;
    clearTimeout(sub.retry);
    sub.live = false;
    const current = (): boolean => !this.#closed && this.#subscribers.has(sub) && sub.generation === generation;
    sub.sink.send({ type: 'status', state: 'connecting', ...(cluster.info ? { cluster: cluster.info } : {}) });
    cluster.cache.start().then(() => {
      if (!current()) return;
      // Snapshot and going live in one tick: no delta can fall between them.
      for (const snap of cluster.cache.snapshot()) sub.sink.send(snap);
      sub.sink.send({ type: 'status', state: 'ready', ...(cluster.info ? { cluster: cluster.info } : {}) });
      sub.live = true;
    }, (err: unknown) => {
      if (!current()) return;
      sub.sink.send({ type: 'status', state: 'error', message: `cannot reach the cluster: ${(err as Error)?.message ?? err}`, ...(cluster.info ? { cluster: cluster.info } : {}) });
      sub.retry = setTimeout(() => current() && this.#attach(sub), RETRY_MS);
    });
  }
}
