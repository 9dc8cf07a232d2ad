// Every provisioning step reports its start and end with its duration, for the CLI's progress
// display and the app's add-node wizard.

export type StepStatus = 'started' | 'done' | 'warned' | 'failed' | 'skipped';

export interface StepEvent {
  /** The host the step runs on (RemoteHost.label). */
  host: string;
  /** A phase (connect, facts, validate, stage, install, ready, cleanup) or one of its steps. */
  step: string;
  status: StepStatus;
  /** Set when the step ended. */
  durationMs?: number;
  /** One line: what was found or done, or what failed and how to fix it. */
  detail?: string;
}

export type ProgressListener = (event: StepEvent) => void;

/** Runs `work` as one step: reports it started, then done or failed with its duration. */
export async function step<T>(report: ProgressListener, host: string, name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  report({ host, step: name, status: 'started' });
  try {
    const result = await work();
    report({ host, step: name, status: 'done', durationMs: Date.now() - start });
    return result;
  } catch (e) {
    report({ host, step: name, status: 'failed', durationMs: Date.now() - start, detail: (e as Error).message });
    throw e;
  }
}
