// How long a failed key waits before its next try. client-go's default controller rate limiter
// is the larger of a per-item exponential backoff (5 ms doubling to 1000 s) and an overall token
// bucket (10 qps, burst 100); the bucket keeps a storm of failing keys from flooding the server.

export interface RateLimiter<T> {
  /** The delay before `item` may be processed again; counts one more failure. */
  when(item: T): number;
  /** Stop tracking `item` (it succeeded). */
  forget(item: T): void;
  numRequeues(item: T): number;
}

export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(private readonly baseMs = 5, private readonly maxMs = 1000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket across all items: `qps` tokens a second, at most `burst` saved up. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly qps = 10, private readonly burst = 100) {
    this.tokens = burst;
  }

  when(_item: T): number {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1; // reserve a token even if it is in the future
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The slowest answer of several limiters wins. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(item)));
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item)));
  }
}

export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1000_000), new BucketRateLimiter<T>(10, 100));
}
