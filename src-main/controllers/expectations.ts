// Controller expectations (pkg/controller/controller_utils.go): after a controller asks for N
// creations or deletions, it waits until its informer has seen them before it counts pods
// again — otherwise a second reconcile, run before the watch catches up, would create the same
// pods twice. Expectations expire after 5 minutes so that a lost event cannot wedge a key.
import { realClock, type Clock } from '../util/clock.ts';

const expectationsTTLms = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly clock: Clock = realClock) {}

  /** Whether the controller may act on key: nothing outstanding, or it expired. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.at > expectationsTTLms;
  }

  expect(key: string, add: number, del: number): void {
    this.byKey.set(key, { add, del, at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.del--;
  }

  /** A create or delete that failed will never be observed: stop waiting for it. */
  lowerExpectations(key: string, add: number, del: number): void {
    const e = this.byKey.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
