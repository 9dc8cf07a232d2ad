// The controllers' rate-limited work queue, with client-go's guarantees:
// - a key is never handed to two workers at once (the processing set);
// - adding a key that is already waiting does nothing (the dirty set coalesces bursts of events
//   into one reconcile);
// - a key added while it is being processed is queued again only when done() is called, so
//   the change is not lost and not processed concurrently;
// - failures come back after a per-key exponential backoff (addRateLimited), and forget()
//   resets it after a success;
// - shutDown() wakes every waiting worker; get() returns undefined once the queue is shut down
//   and empty.
import { realClock, type Clock } from '../util/clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((item: T | undefined) => void)[] = [];
  /** Delayed adds: key → cancel and when it fires; an earlier addAfter wins over a later one. */
  private readonly delayed = new Map<T, { cancel: () => void; readyAt: number; clock: Clock }>();
  private shuttingDown = false;
  private drainWaiters: (() => void)[] = [];

  /**
   * `clock` times addAfter (a controller's "look again at this time", which a test's fake clock
   * must drive); the backoff of failed keys always runs on real time, as failures do.
   */
  constructor(
    private readonly rateLimiter: RateLimiter<T> = defaultControllerRateLimiter<T>(),
    private readonly clock: Clock = realClock,
  ) {}

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return; // done() will queue it
    const waiter = this.waiters.shift();
    if (waiter) {
      // hand it straight to a waiting worker
      this.dirty.delete(item);
      this.processing.add(item);
      waiter(item);
    } else {
      this.queue.push(item);
    }
  }

  /** The next key to process, waiting if none; undefined once shut down and drained. */
  get(): Promise<T | undefined> {
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it goes back in the queue. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      if (!this.shuttingDown) this.add(item);
    }
    if (this.processing.size === 0) {
      for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  /** Adds the key after `delayMs` (client-go's AddAfter); repeated calls keep the earliest. */
  addAfter(item: T, delayMs: number): void {
    this.schedule(item, delayMs, this.clock);
  }

  private schedule(item: T, delayMs: number, clock: Clock): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const readyAt = clock.now() + delayMs;
    const existing = this.delayed.get(item);
    if (existing && existing.clock === clock && existing.readyAt <= readyAt) return;
    existing?.cancel();
    const cancel = clock.after(delayMs, () => {
      this.delayed.delete(item);
      this.add(item);
    });
    this.delayed.set(item, { cancel, readyAt, clock });
  }

  /** Re-adds a key that failed, after its backoff. */
  addRateLimited(item: T): void {
    this.schedule(item, this.rateLimiter.when(item), realClock);
  }

  /** The key succeeded: its next failure starts the backoff from the beginning. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Keys waiting to be handed out (not those being processed or delayed). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys, drops delayed ones and wakes idle workers with undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** shutDown(), then resolves when every key being processed is done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }
}

/**
 * Runs `workers` loops that take keys and call reconcile, the controller pattern: success
 * forgets the key's backoff, an error re-adds it rate-limited, `{ requeueAfterMs }` re-adds it
 * after that delay. Resolves when the queue is shut down and the loops have exited.
 */
export async function runWorkers<T>(
  queue: WorkQueue<T>, workers: number,
  reconcile: (item: T) => Promise<void | { requeueAfterMs?: number }>,
  onError?: (item: T, err: unknown) => void,
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        const result = await reconcile(item);
        queue.forget(item);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(item, result.requeueAfterMs);
      } catch (err) {
        onError?.(item, err);
        queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, loop));
}
