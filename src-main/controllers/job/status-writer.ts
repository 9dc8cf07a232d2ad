// Writing a Job's status only when it changed, in the shape upstream's Go types give it on the
// wire (zero counters and empty lists left out), through the status subresource with the
// resourceVersion last seen — a stale cache makes the write fail (409) instead of undoing a
// newer status.
import type { Job, JobStatus } from 'kubernetes-types/batch/v1';
import { gvr } from '../../client/resources.ts';
import type { JobDeps } from './sync-context.ts';

/** Drops what omitempty would leave out, so that equal statuses compare equal. */
export function normalizeStatus(status: JobStatus): JobStatus {
  const out: JobStatus = { ...status };
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!out[k]) delete out[k];
  if (!out.completedIndexes) delete out.completedIndexes;
  if (out.conditions?.length === 0) delete out.conditions;
  const u = out.uncountedTerminatedPods ?? {};
  out.uncountedTerminatedPods = {
    ...(u.succeeded?.length ? { succeeded: [...u.succeeded] } : {}),
    ...(u.failed?.length ? { failed: [...u.failed] } : {}),
  };
  return out;
}

/** Deep equality of JSON values, whatever the order of keys. */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJSON(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJSON((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Keeps the Job's status in step with the server: `flush(job)` writes job.status if it differs
 * from what was last written (or read), and carries the new resourceVersion forward.
 */
export class StatusWriter {
  private written: JobStatus;
  private resourceVersion?: string;

  constructor(private readonly deps: JobDeps, cached: Job) {
    this.written = normalizeStatus(cached.status ?? {});
    this.resourceVersion = cached.metadata?.resourceVersion;
  }

  /** Whether a write happened. */
  async flush(job: Job): Promise<boolean> {
    const status = normalizeStatus(job.status ?? {});
    if (sameJSON(status, this.written)) return false;
    const body: Job = { ...job, metadata: { ...job.metadata, resourceVersion: this.resourceVersion }, status };
    const saved = await this.deps.client.updateStatus<Job>(gvr.jobs, body);
    this.written = normalizeStatus(saved.status ?? {});
    this.resourceVersion = saved.metadata?.resourceVersion;
    return true;
  }
}
