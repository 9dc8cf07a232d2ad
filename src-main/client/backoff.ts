// Exponential backoff with jitter, for re-list/re-watch loops: a server that restarts or refuses
// should not be hammered by every informer at once.

export class Backoff {
  private failures = 0;

  constructor(private readonly baseMs = 200, private readonly maxMs = 30_000) {}

  /** The delay before the next attempt; each call doubles it up to the cap. */
  next(): number {
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures++;
    // +-25% jitter so that many clients do not retry in lockstep
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  reset(): void {
    this.failures = 0;
  }
}
