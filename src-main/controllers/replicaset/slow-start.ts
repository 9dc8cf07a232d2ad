// Creating many pods in "slow start" batches of 1, 2, 4, 8 ... (upstream's slowStartBatch): when
// every create fails the same way (quota, admission), the controller learns it after one call,
// not after hundreds; when they succeed, the batches grow fast enough not to slow it down.

/**
 * Calls fn `count` times, in batches that double after each fully successful batch. Stops after
 * the first batch with a failure; returns how many calls succeeded and the first error.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failures.length;
    if (failures.length > 0) {
      const reason: unknown = failures[0].reason;
      return { successes, error: reason instanceof Error ? reason : new Error(String(reason)) };
    }
    remaining -= size;
  }
  return { successes };
}
