// One probe of one container run (pkg/kubelet/prober/worker.go): the first run after
// initialDelaySeconds, then one every periodSeconds; a result counts only after successThreshold
// or failureThreshold runs in a row. A probe that could not run at all (an error, not a failure)
// is tried up to 3 times and then leaves the result as it was. A liveness or startup failure
// holds the worker until the container is replaced; a startup success ends it.
import type { Probe } from 'kubernetes-types/core/v1';
import { probeTiming, type ProbeResult, type ProbeTiming } from './probe-spec.ts';

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

const MAX_TRIES = 3;

export interface ProbeWorkerHooks {
  /** One run of the action. */
  run(): Promise<{ result: ProbeResult; output: string }>;
  /** The counted result changed (or was first set). */
  settled(result: 'Success' | 'Failure'): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export class ProbeWorker {
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private last?: 'Success' | 'Failure';
  private inARow = 0;
  /** The counted result: readiness starts failed, liveness passed, startup unknown (as upstream). */
  result?: 'Success' | 'Failure';
  readonly timing: ProbeTiming;

  constructor(readonly kind: ProbeKind, probe: Probe, private readonly hooks: ProbeWorkerHooks) {
    this.timing = probeTiming(probe);
    this.result = kind === 'Readiness' ? 'Failure' : kind === 'Liveness' ? 'Success' : undefined;
  }

  /** Starts probing; the first run waits until initialDelaySeconds after the container started. */
  start(startedAtMs: number): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(startedAtMs + this.timing.initialDelaySeconds * 1000 - Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
  }

  private async tick(): Promise<void> {
    const began = Date.now();
    const outcome = await this.runWithRetries();
    if (this.stopped) return;
    if (outcome) this.count(outcome);
    // Like upstream's ticker: every period from the start of the last run, never overlapping.
    if (!this.stopped) this.schedule(began + this.timing.periodSeconds * 1000 - Date.now());
  }

  private async runWithRetries(): Promise<{ result: ProbeResult; output: string } | undefined> {
    for (let i = 1; ; i++) {
      try {
        return await this.hooks.run();
      } catch (e) {
        if (this.stopped) return undefined;
        if (i < MAX_TRIES) continue;
        this.hooks.event('Warning', 'Unhealthy', `${this.kind} probe errored: ${(e as Error).message}`);
        return undefined;
      }
    }
  }

  private count({ result, output }: { result: ProbeResult; output: string }): void {
    if (result === 'Failure') this.hooks.event('Warning', 'Unhealthy', `${this.kind} probe failed: ${output}`);
    if (result === 'Warning') this.hooks.event('Warning', 'ProbeWarning', `${this.kind} probe warning: ${output}`);
    const counted = result === 'Failure' ? 'Failure' : 'Success';
    this.inARow = this.last === counted ? this.inARow + 1 : 1;
    this.last = counted;
    const threshold = counted === 'Failure' ? this.timing.failureThreshold : this.timing.successThreshold;
    if (this.inARow < threshold) return;
    const changed = this.result !== counted;
    this.result = counted;
    // A failed liveness or startup probe means a restart: nothing more to probe in this run; a
    // container that has started is not probed for startup again.
    if ((this.kind !== 'Readiness' && counted === 'Failure') || (this.kind === 'Startup' && counted === 'Success')) this.stop();
    if (changed) this.hooks.settled(counted);
  }
}
