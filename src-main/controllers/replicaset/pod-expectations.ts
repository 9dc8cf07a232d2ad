// Expectations that remember which pods a ReplicaSet asked to delete (upstream's
// UIDTrackingControllerExpectations). A graceful delete is seen twice — first as an update that
// sets deletionTimestamp, then as the delete — and a pod may be deleted by someone else: only
// the first sighting of a pod the controller itself deleted may lower the count, or the count
// would reach zero while some of its deletions are still in flight, and the next sync would
// delete more pods than asked.
import type { Clock } from '../../util/clock.ts';
import { ControllerExpectations } from '../expectations.ts';

export class PodExpectations {
  private readonly counts: ControllerExpectations;
  private readonly deleting = new Map<string, Set<string>>();

  constructor(clock: Clock) {
    this.counts = new ControllerExpectations(clock);
  }

  satisfied(key: string): boolean {
    return this.counts.satisfied(key);
  }

  expectCreations(key: string, count: number): void {
    this.deleting.delete(key);
    this.counts.expect(key, count, 0);
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.deleting.set(key, new Set(podKeys));
    this.counts.expect(key, 0, podKeys.length);
  }

  creationObserved(key: string): void {
    this.counts.creationObserved(key);
  }

  /** A pod of the ReplicaSet went away (or started to); counts only for pods it deleted. */
  deletionObserved(key: string, podKey: string): void {
    if (this.deleting.get(key)?.delete(podKey)) this.counts.deletionObserved(key);
  }

  /** Creations that failed or were skipped will never be observed. */
  lowerCreations(key: string, count: number): void {
    this.counts.lowerExpectations(key, count, 0);
  }

  delete(key: string): void {
    this.counts.delete(key);
    this.deleting.delete(key);
  }
}
