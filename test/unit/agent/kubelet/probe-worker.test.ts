// The probe worker's timing and counting, on a fake clock: first run after initialDelaySeconds,
// one per period, thresholds in a row, errors retried and not counted, liveness held after a
// failure, startup ended by a success.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProbeWorker, type ProbeKind } from '../../../../src-main/agent/kubelet/prober/probe-worker.ts';
import type { ProbeResult } from '../../../../src-main/agent/kubelet/prober/probe-spec.ts';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

/** A worker whose runs answer from the script (an Error throws), recording what it reports. */
function worker(kind: ProbeKind, probe: Record<string, number>, script: (ProbeResult | Error)[]) {
  const settled: string[] = [];
  const events: string[] = [];
  const runs: number[] = [];
  const w = new ProbeWorker(kind, { exec: { command: ['x'] }, ...probe }, {
    run: async () => {
      runs.push(Date.now());
      const next = script.shift() ?? 'Success';
      if (next instanceof Error) throw next;
      return { result: next, output: `out-${runs.length}` };
    },
    settled: (r) => settled.push(r),
    event: (type, reason, message) => events.push(`${type} ${reason}: ${message}`),
  });
  return { w, settled, events, runs };
}

describe('ProbeWorker', () => {
  it('starts readiness failed, runs after the initial delay and every period, and counts successThreshold in a row', async () => {
    const { w, settled, runs } = worker('Readiness', { initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2 }, ['Success', 'Failure', 'Success', 'Success']);
    expect(w.result).toBe('Failure');
    w.start(Date.now());
    await vi.advanceTimersByTimeAsync(4_999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + 2_000 * 3);
    expect(runs.map((t) => t - 1_000_000)).toEqual([5_000, 7_000, 9_000, 11_000]);
    // Success, Failure (below the default 3), Success, Success: two in a row now.
    expect(settled).toEqual(['Success']);
    w.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(4);
  });

  it('reports every failure as an event, flips after failureThreshold in a row, and flips back', async () => {
    const { w, settled, events } = worker('Readiness', { periodSeconds: 1, failureThreshold: 2 }, ['Success', 'Failure', 'Success', 'Failure', 'Failure', 'Success']);
    w.start(Date.now());
    await vi.advanceTimersByTimeAsync(5_500);
    w.stop();
    expect(settled).toEqual(['Success', 'Failure', 'Success']);
    expect(events).toEqual(['Warning Unhealthy: Readiness probe failed: out-2', 'Warning Unhealthy: Readiness probe failed: out-4', 'Warning Unhealthy: Readiness probe failed: out-5']);
  });

  it('tries a probe that errors three times, then keeps the last result and says it errored', async () => {
    const { w, settled, events, runs } = worker('Liveness', { periodSeconds: 10, failureThreshold: 1 }, [new Error('boom'), new Error('boom'), new Error('boom')]);
    w.start(Date.now());
    await vi.advanceTimersByTimeAsync(1);
    w.stop();
    expect(runs).toHaveLength(3);
    expect(settled).toEqual([]);
    expect(w.result).toBe('Success');
    expect(events).toEqual(['Warning Unhealthy: Liveness probe errored: boom']);
  });

  it('holds liveness after it failed, and ends startup once it passed', async () => {
    const live = worker('Liveness', { periodSeconds: 1, failureThreshold: 1 }, ['Failure']);
    live.w.start(Date.now());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(live.settled).toEqual(['Failure']);
    expect(live.runs).toHaveLength(1);
    const startup = worker('Startup', { periodSeconds: 1 }, ['Failure', 'Success']);
    expect(startup.w.result).toBeUndefined();
    startup.w.start(Date.now());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(startup.settled).toEqual(['Success']);
    expect(startup.runs).toHaveLength(2);
  });

  it('counts a warning (a redirect to another host) as a success, with a ProbeWarning event', async () => {
    const { w, settled, events } = worker('Readiness', { periodSeconds: 1 }, ['Warning']);
    w.start(Date.now());
    await vi.advanceTimersByTimeAsync(1);
    w.stop();
    expect(settled).toEqual(['Success']);
    expect(events).toEqual(['Warning ProbeWarning: Readiness probe warning: out-1']);
  });
});
