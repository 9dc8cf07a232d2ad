// CPU usage as a rate (nanocores) from cumulative counters, as cAdvisor derives it between its
// housekeeping samples: the counter's growth over the time between this reading and an earlier
// one. The earlier one is the oldest kept within the window, or the newest before it (so a reading a moment after the last
// is not a noisy 10 ms rate) but at least a second old; with none yet the rate is unknown.

interface Reading {
  at: number;
  usageNanos: number;
}

/** Readings older than this are dropped but for the newest of them. */
const WINDOW_MS = 15_000;
const MIN_SPAN_MS = 1_000;

export class CpuRates {
  private readonly history = new Map<string, Reading[]>();

  /** Records a reading of `key` taken at `at` (ms) and returns the rate, if one can be told. */
  observe(key: string, at: number, usageNanos: number): number | undefined {
    const valid = (this.history.get(key) ?? []).filter((r) => r.usageNanos <= usageNanos);
    // The window's readings, and the newest before it when nothing came for a while.
    const fresh = valid.filter((r) => at - r.at <= WINDOW_MS);
    const stale = valid.filter((r) => at - r.at > WINDOW_MS).pop();
    const readings = stale ? [stale, ...fresh] : fresh;
    const base = readings.find((r) => at - r.at >= MIN_SPAN_MS);
    // Keep the new reading only when it is at least a second after the newest (bounded history).
    const newest = readings[readings.length - 1];
    if (!newest || at - newest.at >= MIN_SPAN_MS) readings.push({ at, usageNanos });
    this.history.set(key, readings);
    if (!base) return undefined;
    return Math.round(((usageNanos - base.usageNanos) / (at - base.at)) * 1000);
  }

  /** Forgets every key not in `live` (containers and pods that are gone). */
  retain(live: Set<string>): void {
    for (const key of this.history.keys()) if (!live.has(key)) this.history.delete(key);
  }
}
