// Runs `count` operations with a fixed number of clients in flight, timing each one. Each client
// takes the next index as soon as its previous request is answered (a closed loop), which is how
// controllers and kubectl use the API: throughput is what the server sustains, not a set rate.
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  count: number;
  wallMs: number;
  /** Per-operation latency, ms, in completion order. */
  latencies: number[];
  perSecond: number;
}

export async function runClosedLoop(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const wallMs = performance.now() - start;
  return { count, wallMs, latencies, perSecond: (count / wallMs) * 1000 };
}
