// Time as controllers, the scheduler and hollow nodes see it. Production code uses realClock;
// tests where time matters (CronJobs, node grace periods, HPA windows) pass a FakeClock to the
// whole control plane, API server included, and move it forward by hand.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn once, `ms` from now on this clock. Returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/** Repeats fn every `ms` on the clock until the returned function is called. */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let cancel = (): void => undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    cancel = clock.after(ms, tick);
    fn();
  };
  cancel = clock.after(ms, tick);
  return () => {
    stopped = true;
    cancel();
  };
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told. Timers fire in time order as advance() passes them, each
 * seeing now() equal to its own due time, and advance() yields to the event loop after each, so
 * the asynchronous work a timer starts (API calls) can run before later timers fire.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start: Date | number = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.time = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by ms, firing due timers; settleMs of real time is given after each. */
  async advance(ms: number, settleMs = 5): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.fn();
      await new Promise((r) => setTimeout(r, settleMs));
    }
    this.time = end;
    await new Promise((r) => setTimeout(r, settleMs));
  }

  /** advance() in steps of stepMs, so periodic work interleaves as it would in real time. */
  async advanceInSteps(ms: number, stepMs: number, settleMs = 20): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) await this.advance(Math.min(stepMs, ms - done), settleMs);
  }

  private nextDue(end: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.at > end) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
