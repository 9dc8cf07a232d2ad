// The shape every controller here shares, after Kubernetes' controllers: informer handlers add
// keys to a rate-limited work queue, and workers call reconcile(key), which looks at the cached
// state and converges. reconcile must be idempotent; an error retries the key with backoff, and
// { requeueAfterMs } looks again later (on the context's clock).
import { isConflict, isNotFound } from '../client/api-error.ts';
import { objectKey } from '../client/informer.ts';
import type { KubeObject } from '../client/types.ts';
import { WorkQueue, runWorkers } from '../client/workqueue.ts';
import type { Controller, ControllerContext } from './context.ts';

export type ReconcileResult = void | { requeueAfterMs?: number };

/**
 * Thrown by reconcile for "not yet, look again soon" on real time (content still being
 * deleted): the key is retried with the queue's backoff, and nothing is logged.
 */
export class RetryLater extends Error {}

export abstract class QueueController implements Controller {
  protected readonly queue: WorkQueue<string>;
  private running?: Promise<void>;

  constructor(
    readonly name: string,
    protected readonly ctx: ControllerContext,
    private readonly workers = 2,
  ) {
    this.queue = new WorkQueue<string>(undefined, ctx.clock);
  }

  abstract reconcile(key: string): Promise<ReconcileResult>;

  start(): void {
    this.running = runWorkers(this.queue, this.workers, (key) => this.reconcile(key), (key, err) => {
      // A conflict or a vanished object is the normal race with other writers: retry quietly.
      if (err instanceof RetryLater || isConflict(err) || isNotFound(err)) return;
      this.ctx.log(`${this.name}: ${key}: ${(err as Error).message}`);
    });
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Resolves when the workers have exited after stop(). */
  stopped(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Queues the object's own key. */
  protected readonly enqueue = (obj: KubeObject): void => {
    this.queue.add(objectKey(obj));
  };
}
