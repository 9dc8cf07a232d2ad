// The kubelet's restart backoff per container (flowcontrol.Backoff as the kubelet uses it): 10 s,
// doubling to 5 min; a container whose last failure is 10 min old (twice the maximum: it ran that
// long) starts over. A container that exited is restarted at once the first time (upstream's
// doBackOff asks before it records), a failed start or pull waits the 10 s (the image manager's).
// Crashes and failed starts share one entry, as upstream's key is the container.
const INITIAL_MS = 10_000;
const MAX_MS = 300_000;
const RESET_AFTER_MS = 2 * MAX_MS;

export class ContainerBackoff {
  private readonly entries = new Map<string, { delay: number; failedAt: number }>();

  constructor(private readonly now: () => number) {}

  /** Records a failure of the container (an exit, or a start that failed); returns how long it now waits. */
  fail(name: string, kind: 'exited' | 'start' = 'exited'): number {
    const now = this.now();
    const prev = this.entries.get(name);
    const fresh = !prev || now - prev.failedAt >= RESET_AFTER_MS;
    const delay = fresh ? (kind === 'exited' ? 0 : INITIAL_MS) : Math.min(Math.max(prev.delay * 2, INITIAL_MS), MAX_MS);
    this.entries.set(name, { delay, failedAt: now });
    return delay;
  }

  /** Milliseconds until the container may start again (0: now). */
  remaining(name: string): number {
    const e = this.entries.get(name);
    return e ? Math.max(0, e.failedAt + e.delay - this.now()) : 0;
  }
}
