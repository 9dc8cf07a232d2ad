// Watch delivery. A watcher is a prefix and a cursor (the last revision it has been given); the
// events themselves stay in the shared History, so watchers need no copies of their own and a
// slow or replaying watcher costs no memory beyond the bounded history. A watcher whose cursor
// falls out of the history (it could not keep up, or the history was compacted past it) is ended
// with CompactedError, which the API server turns into 410 Gone, as for an etcd watch.
// Delivery runs in its own macrotask, never inside a writer's call stack, and only up to the
// durable revision, so a watcher never sees a write that a crash could still lose.
import { CompactedError } from './store.ts';
import type { Watch, WatchCallbacks, WatchEvent } from './store.ts';
import { eventRevision } from './history.ts';
import type { History } from './history.ts';

/** Events looked at per watcher per turn: a long replay yields to I/O between turns. */
const SCAN_PER_TURN = 5000;

interface Watcher {
  prefix: string;
  /** Every event up to this revision has been given (or did not match). */
  after: number;
  callbacks: WatchCallbacks;
  done: boolean;
}

export class Watchers {
  private watchers = new Set<Watcher>();
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly history: History,
    private readonly durableRevision: () => number,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  add(prefix: string, afterRevision: number, callbacks: WatchCallbacks): Watch {
    const watcher: Watcher = { prefix, after: afterRevision, callbacks, done: false };
    this.watchers.add(watcher);
    this.schedule();
    return {
      cancel: () => {
        watcher.done = true;
        this.watchers.delete(watcher);
      },
    };
  }

  /** New durable events exist: deliver them soon. */
  schedule(): void {
    if (!this.scheduled && this.watchers.size > 0) this.scheduled = setImmediate(() => this.deliver());
  }

  /** Gives every watcher what it has not seen yet, then ends them all with err (the store closes). */
  endAll(err: Error): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.deliverOnce()) {
      // drain completely: close() promises that durable events reach their watchers
    }
    for (const w of [...this.watchers]) this.end(w, err);
  }

  private deliver(): void {
    this.scheduled = undefined;
    if (this.deliverOnce()) this.schedule();
  }

  /** One turn for every watcher; true if some still have events to get. */
  private deliverOnce(): boolean {
    const durable = this.durableRevision();
    let behind = false;
    for (const w of [...this.watchers]) {
      if (w.done || w.after >= durable) continue;
      if (w.after < this.history.start) {
        this.end(w, new CompactedError(w.after, this.history.start));
        continue;
      }
      const events: WatchEvent[] = [];
      let i = this.history.indexAfter(w.after);
      let scanned = 0;
      for (; i < this.history.length; i++) {
        const event = this.history.at(i);
        const revision = eventRevision(event);
        if (revision > durable) break;
        // Stop only between revisions: the events of one revision come in one call.
        if (scanned >= SCAN_PER_TURN && revision !== w.after) {
          behind = true;
          break;
        }
        scanned++;
        w.after = revision;
        if (event.kv.key.startsWith(w.prefix)) events.push(event);
      }
      if (events.length === 0) continue;
      try {
        w.callbacks.onEvents(events);
      } catch (err) {
        // A watcher that throws is broken; end it without disturbing the others.
        this.end(w, err instanceof Error ? err : new Error(String(err)));
      }
    }
    return behind;
  }

  private end(w: Watcher, err: Error): void {
    if (w.done) return;
    w.done = true;
    this.watchers.delete(w);
    w.callbacks.onError?.(err);
  }
}
