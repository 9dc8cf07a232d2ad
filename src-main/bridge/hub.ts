// One hub per main process: it shares one ClusterCache between every connected renderer (Electron
// windows, browser tabs) and runs their calls. A transport adapts its connection to an EventSink
// and forwards calls to `invoke`.
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

/** How long a failed cache start waits before trying again for the subscribers still there. */
const RETRY_MS = 2000;

export class BridgeHub {
  readonly #cache: ClusterCache;
  readonly #methods: MethodTable;
  readonly #sinks = new Set<EventSink>();
  readonly #unsubscribeDeltas: () => void;
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  readonly #info: ClusterInfo | undefined;

  constructor(cache: ClusterCache, methods: MethodTable, info?: ClusterInfo) {
    this.#cache = cache;
    this.#info = info;
    this.#methods = methods;
    this.#unsubscribeDeltas = cache.onDelta((changes) => {
      for (const sink of this.#sinks) sink.send({ type: 'delta', changes });
    });
  }

  /**
   * Starts streaming to a sink: a status, a snapshot of every kind once the cache is listed, then
   * deltas. The cache starts with the first subscriber, so a headless server watches nothing
   * until someone looks.
   */
  subscribe(sink: EventSink): Subscription {
    let open = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    sink.send({ type: 'status', state: 'connecting' });
    const attach = (): void => {
      this.#cache.start().then(() => {
        if (!open || this.#closed) return;
        // Snapshot and registration in one tick: no delta can fall between them.
        for (const snap of this.#cache.snapshot()) sink.send(snap);
        sink.send({ type: 'status', state: 'ready', ...(this.#info ? { cluster: this.#info } : {}) });
        this.#sinks.add(sink);
      }, (err: unknown) => {
        if (!open || this.#closed) return;
        sink.send({ type: 'status', state: 'error', message: `cannot reach the cluster: ${(err as Error)?.message ?? err}` });
        retry = setTimeout(attach, RETRY_MS);
      });
    };
    attach();
    const subscription: Subscription = {
      close: () => {
        open = false;
        clearTimeout(retry);
        this.#sinks.delete(sink);
        this.#subscriptions.delete(subscription);
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Runs one call from a renderer's session; rejects with a ServiceError or the API's error. */
  invoke(method: unknown, params: unknown, session: Session): Promise<unknown> {
    return dispatch(this.#methods, method, params, { session });
  }

  close(): void {
    this.#closed = true;
    for (const subscription of [...this.#subscriptions]) subscription.close();
    this.#unsubscribeDeltas();
    this.#sinks.clear();
    this.#cache.stop();
  }
}
