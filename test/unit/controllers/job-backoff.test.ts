import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { BackoffStore, remainingBackoffMs } from '../../../src-main/controllers/job/backoff.ts';

const t0 = Date.UTC(2026, 0, 1);
const finishedAt = (ms: number): Pod => ({
  status: { containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: new Date(ms).toISOString() } } }] },
});

describe('job pod failure backoff', () => {
  it('waits 10 s after the first failure, doubling after each, at most 10 minutes', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: n, lastFailureTime: t0 }, t0));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
  });

  it('counts the time already passed since the last failure', () => {
    const record = { key: 'k', failuresAfterLastSuccess: 2, lastFailureTime: t0 };
    expect(remainingBackoffMs(record, t0 + 15_000)).toBe(5_000);
    expect(remainingBackoffMs(record, t0 + 20_000)).toBe(0);
    expect(remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: 0 }, t0)).toBe(0);
  });

  it('adds new failures, and a success resets the count to the failures after it', () => {
    const store = new BackoffStore();
    const r1 = store.next('k', [], [finishedAt(t0), finishedAt(t0 + 5000)]);
    expect(r1).toEqual({ key: 'k', failuresAfterLastSuccess: 2, lastFailureTime: t0 + 5000 });
    store.update(r1);
    const r2 = store.next('k', [finishedAt(t0 + 6000)], [finishedAt(t0 + 4000), finishedAt(t0 + 7000)]);
    expect(r2).toEqual({ key: 'k', failuresAfterLastSuccess: 1, lastFailureTime: t0 + 7000 });
    const r3 = store.next('k', [finishedAt(t0 + 8000)], []);
    expect(r3).toEqual({ key: 'k', failuresAfterLastSuccess: 0, lastFailureTime: undefined });
  });
});
