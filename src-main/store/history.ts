// The recent past: the last events in revision order. Watches replay from it, reads at an older
// revision undo its events, and the API server's 410 Gone comes from its lower bound. It is
// bounded (a count limit plus explicit compaction), so memory does not grow with uptime.
import type { WatchEvent } from './store.ts';

export function eventRevision(event: WatchEvent): number {
  return event.kv.modRevision;
}

export class History<E extends WatchEvent = WatchEvent> {
  private events: E[] = [];
  private head = 0; // events before head are dropped; sliced off in bulk to keep drops O(1)
  private startRevision: number;

  constructor(
    /** Every change up to this revision is already forgotten (or never existed). */
    start: number,
    private readonly limit: number,
  ) {
    this.startRevision = start;
  }

  /** The oldest revision a read or watch can start from: all events after it are held. */
  get start(): number {
    return this.startRevision;
  }

  get length(): number {
    return this.events.length - this.head;
  }

  push(event: E): void {
    this.events.push(event);
  }

  /** The position (for at()) of the first event with a revision greater than revision. */
  indexAfter(revision: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (eventRevision(this.events[mid]) <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  at(index: number): E {
    return this.events[this.head + index];
  }

  /** Forgets every event up to revision (compaction). */
  forgetUpTo(revision: number): void {
    if (revision <= this.startRevision) return;
    this.dropFront(this.indexAfter(revision));
    this.startRevision = revision;
  }

  /**
   * Drops the oldest events beyond the limit, but never one newer than keepAfter (events not yet
   * durable are still needed to answer reads at the durable revision).
   */
  enforceLimit(keepAfter: number): void {
    const excess = this.length - this.limit;
    if (excess <= 0) return;
    const n = Math.min(excess, this.indexAfter(keepAfter));
    if (n <= 0) return;
    this.startRevision = Math.max(this.startRevision, eventRevision(this.at(n - 1)));
    this.dropFront(n);
  }

  private dropFront(n: number): void {
    this.head += n;
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}
