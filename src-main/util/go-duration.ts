// Go's time.Duration text ("15s", "1m30s", "8760h"), as flags and metrics.k8s.io write it.

const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };

/** A Go duration string ("15s", "1m30s", "10.062s") in milliseconds; NaN if it is not one. */
export function parseGoDuration(text: string | undefined): number {
  if (!text) return NaN;
  if (text === '0') return 0;
  let ms = 0;
  let rest = text;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) return NaN;
    ms += Number(m[1]) * unitMs[m[2]];
    rest = rest.slice(m[0].length);
  }
  return ms;
}
