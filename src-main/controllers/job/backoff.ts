// The delay before a Job replaces a failed pod (upstream's backoff_utils.go): 10 s after the
// first failure, doubling with each failure since the last success, at most 10 minutes (the
// controller's MaxJobPodFailureBackOff; the documentation still says six). The record of
// failures lives in memory, as upstream's: a controller restart starts the delays afresh,
// which only makes the next retry earlier.
import type { Pod } from 'kubernetes-types/core/v1';
import { podFinishedTime } from './pods.ts';

export const podFailureBackoffMs = 10_000;
export const maxPodFailureBackoffMs = 10 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  /** ms since the epoch; undefined without failures. */
  lastFailureTime?: number;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  get(key: string): BackoffRecord {
    return this.records.get(key) ?? { key, failuresAfterLastSuccess: 0 };
  }

  update(record: BackoffRecord): void {
    this.records.set(record.key, { ...record });
  }

  remove(key: string): void {
    this.records.delete(key);
  }

  /**
   * The record after newly finished pods: failures add up; a success resets the count to the
   * failures that came after it.
   */
  next(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    const record = { ...this.get(key) };
    const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
    if (newSucceeded.length === 0) {
      if (failedTimes.length === 0) return record;
      record.failuresAfterLastSuccess += failedTimes.length;
      record.lastFailureTime = failedTimes[failedTimes.length - 1];
      return record;
    }
    const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
    const after = failedTimes.filter((t) => t > lastSuccess);
    record.failuresAfterLastSuccess = after.length;
    record.lastFailureTime = after.length > 0 ? after[after.length - 1] : undefined;
    return record;
  }
}

/** How long until a replacement pod may be created (0: now). */
export function remainingBackoffMs(record: BackoffRecord, now: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let delay = podFailureBackoffMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    delay *= 2;
    if (delay >= maxPodFailureBackoffMs) {
      delay = maxPodFailureBackoffMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return delay < elapsed ? 0 : delay - elapsed;
}
