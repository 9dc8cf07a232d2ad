// Indexed Jobs (upstream's indexed_job_utils.go): each pod carries its completion index in an
// annotation and a label, the Job succeeds once every index in [0, completions) has a succeeded
// pod, and status.completedIndexes lists those as intervals ("0-2,5").
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1';
import { compareForDeletion, hasTrackingFinalizer } from './pods.ts';

export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';
const maxGeneratedNameLength = 58;

export function isIndexedJob(job: Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** The pod's index, or -1 when it has none (or a bad one). */
export function completionIndex(pod: Pod): number {
  const text = pod.metadata?.annotations?.[completionIndexKey] ?? pod.metadata?.labels?.[completionIndexKey];
  if (text === undefined || !/^\d+$/.test(text)) return -1;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Sorted, disjoint, non-adjacent [first, last] ranges. */
export type Intervals = [number, number][];

export function parseIntervals(text: string | undefined, completions: number): Intervals {
  const out: Intervals = [];
  for (const part of (text ?? '').split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const first = Number(a);
    let last = b === undefined ? first : Number(b);
    if (!Number.isInteger(first) || !Number.isInteger(last) || first > last) continue;
    if (first >= completions) break;
    last = Math.min(last, completions - 1);
    addRange(out, first, last);
  }
  return out;
}

function addRange(out: Intervals, first: number, last: number): void {
  const prev = out[out.length - 1];
  if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
  else out.push([first, last]);
}

/** The union of the intervals and the indexes. */
export function withIndexes(intervals: Intervals, indexes: Iterable<number>): Intervals {
  const all = new Set<number>(indexes);
  const merged: Intervals = [];
  const sorted = [...all].sort((a, b) => a - b);
  let i = 0;
  for (const [first, last] of intervals) {
    while (i < sorted.length && sorted[i] < first) addRange(merged, sorted[i], sorted[i++]);
    addRange(merged, first, last);
    while (i < sorted.length && sorted[i] <= last) i++;
  }
  while (i < sorted.length) addRange(merged, sorted[i], sorted[i++]);
  return merged;
}

export function intervalsTotal(intervals: Intervals): number {
  return intervals.reduce((n, [a, b]) => n + b - a + 1, 0);
}

export function intervalsHas(intervals: Intervals, ix: number): boolean {
  return intervals.some(([a, b]) => ix >= a && ix <= b);
}

export function formatIntervals(intervals: Intervals): string {
  return intervals.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

/**
 * The completed indexes before this sync (from status) and after it: plus the succeeded pods
 * not counted yet (they still have the tracking finalizer).
 */
export function succeededIndexes(job: Job, pods: readonly Pod[]): { previous: Intervals; current: Intervals } {
  const completions = job.spec?.completions ?? 0;
  const previous = parseIntervals(job.status?.completedIndexes, completions);
  const fresh: number[] = [];
  for (const p of pods) {
    const ix = completionIndex(p);
    if (p.status?.phase === 'Succeeded' && ix >= 0 && ix < completions && hasTrackingFinalizer(p)) fresh.push(ix);
  }
  return { previous, current: withIndexes(previous, fresh) };
}

/** The first `count` indexes that have neither succeeded nor a pod working on them. */
export function firstPendingIndexes(completions: number, succeeded: Intervals, busy: readonly Pod[], count: number): number[] {
  const taken = new Set(busy.map(completionIndex));
  const out: number[] = [];
  for (let ix = 0; ix < completions && out.length < count; ix++) {
    if (!taken.has(ix) && !intervalsHas(succeeded, ix)) out.push(ix);
  }
  return out;
}

/**
 * Active pods that must go whatever the counts say: those without a valid index and all but
 * the best of several pods with the same index. Returns them and the pods that remain.
 */
export function duplicatedIndexPods(pods: readonly Pod[], completions: number): { remove: Pod[]; keep: Pod[] } {
  const byIndex = new Map<number, Pod[]>();
  const remove: Pod[] = [];
  for (const p of pods) {
    const ix = completionIndex(p);
    if (ix < 0 || ix >= completions) {
      remove.push(p);
      continue;
    }
    const list = byIndex.get(ix) ?? [];
    list.push(p);
    byIndex.set(ix, list);
  }
  const keep: Pod[] = [];
  for (const list of byIndex.values()) {
    list.sort(compareForDeletion);
    remove.push(...list.slice(0, -1));
    keep.push(list[list.length - 1]);
  }
  return { remove, keep };
}

/** JOB_COMPLETION_INDEX in every container, from the pod's annotation (downward API). */
export function addCompletionIndexEnv(template: PodTemplateSpec): void {
  const spec = template.spec;
  if (!spec) return;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (c.env?.some((e) => e.name === completionIndexEnv)) continue;
    c.env = [...(c.env ?? []), { name: completionIndexEnv, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } } }];
  }
}

/** "<job>-<index>-", cut so that the server's random suffix still fits a name. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = `${jobName}${suffix}`;
  return prefix.length > maxGeneratedNameLength ? `${jobName.slice(0, maxGeneratedNameLength - suffix.length)}${suffix}` : prefix;
}
