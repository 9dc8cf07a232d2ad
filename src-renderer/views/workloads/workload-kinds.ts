// The Workloads view's tabs: per kind, its columns as `kubectl get` prints them and what can be
// done to it. Text columns only; the view adds name, age and actions.
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { RolloutKind, ScalableKind } from '../../../src-main/bridge/api/workloads.ts';
import { formatAge } from '../../lib/age.ts';

export type WorkloadKind = 'deployments' | 'replicasets' | 'daemonsets' | 'statefulsets' | 'jobs' | 'cronjobs';
export type Workload = Deployment | ReplicaSet | DaemonSet | StatefulSet | Job | CronJob;

export interface TextColumn {
  title: string;
  text: (w: Workload, now: number) => string;
  align?: 'right';
}

export interface KindTab {
  kind: WorkloadKind;
  title: string;
  /** The Kind, for the editor and messages. */
  objectKind: string;
  columns: TextColumn[];
}

const ago = (t: string | undefined, now: number) => (t ? formatAge(now - Date.parse(t)) : '<none>');
const n = (v: number | undefined) => String(v ?? 0);

export function templateOf(w: Workload): PodTemplateSpec | undefined {
  return 'jobTemplate' in (w.spec ?? {}) ? (w as CronJob).spec?.jobTemplate.spec?.template : (w as Deployment).spec?.template;
}

export function imagesOf(w: Workload): string {
  return (templateOf(w)?.spec?.containers ?? []).map((c) => c.image).join(', ');
}

/** The selector of the workload's pods (a CronJob has none of its own). */
export function selectorOf(w: Workload): LabelSelector | undefined {
  return 'jobTemplate' in (w.spec ?? {}) ? undefined : (w as Deployment).spec?.selector;
}

const images: TextColumn = { title: 'Images', text: imagesOf };

/** A Job's DURATION as kubectl prints it: start to completion, or to now while running. */
function jobDuration(j: Job, now: number): string {
  const start = j.status?.startTime;
  if (!start) return '';
  const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now;
  return formatAge(end - Date.parse(start));
}

export const TABS: readonly KindTab[] = [
  {
    kind: 'deployments', title: 'Deployments', objectKind: 'Deployment',
    columns: [
      { title: 'Ready', text: (w) => `${n((w as Deployment).status?.readyReplicas)}/${n((w as Deployment).spec?.replicas ?? 1)}` },
      { title: 'Up-to-date', text: (w) => n((w as Deployment).status?.updatedReplicas), align: 'right' },
      { title: 'Available', text: (w) => n((w as Deployment).status?.availableReplicas), align: 'right' },
      images,
    ],
  },
  {
    kind: 'replicasets', title: 'ReplicaSets', objectKind: 'ReplicaSet',
    columns: [
      { title: 'Desired', text: (w) => n((w as ReplicaSet).spec?.replicas ?? 1), align: 'right' },
      { title: 'Current', text: (w) => n((w as ReplicaSet).status?.replicas), align: 'right' },
      { title: 'Ready', text: (w) => n((w as ReplicaSet).status?.readyReplicas), align: 'right' },
      images,
    ],
  },
  {
    kind: 'daemonsets', title: 'DaemonSets', objectKind: 'DaemonSet',
    columns: [
      { title: 'Desired', text: (w) => n((w as DaemonSet).status?.desiredNumberScheduled), align: 'right' },
      { title: 'Current', text: (w) => n((w as DaemonSet).status?.currentNumberScheduled), align: 'right' },
      { title: 'Ready', text: (w) => n((w as DaemonSet).status?.numberReady), align: 'right' },
      { title: 'Up-to-date', text: (w) => n((w as DaemonSet).status?.updatedNumberScheduled), align: 'right' },
      { title: 'Available', text: (w) => n((w as DaemonSet).status?.numberAvailable), align: 'right' },
      images,
    ],
  },
  {
    kind: 'statefulsets', title: 'StatefulSets', objectKind: 'StatefulSet',
    columns: [
      { title: 'Ready', text: (w) => `${n((w as StatefulSet).status?.readyReplicas)}/${n((w as StatefulSet).spec?.replicas ?? 1)}` },
      { title: 'Up-to-date', text: (w) => n((w as StatefulSet).status?.updatedReplicas), align: 'right' },
      images,
    ],
  },
  {
    kind: 'jobs', title: 'Jobs', objectKind: 'Job',
    columns: [
      { title: 'Status', text: (w) => jobStatus(w as Job) },
      { title: 'Completions', text: (w) => `${n((w as Job).status?.succeeded)}/${(w as Job).spec?.completions ?? 1}` },
      { title: 'Duration', text: (w, now) => jobDuration(w as Job, now) },
      images,
    ],
  },
  {
    kind: 'cronjobs', title: 'CronJobs', objectKind: 'CronJob',
    columns: [
      { title: 'Schedule', text: (w) => (w as CronJob).spec?.schedule ?? '' },
      { title: 'Suspend', text: (w) => ((w as CronJob).spec?.suspend ? 'True' : 'False') },
      { title: 'Active', text: (w) => String((w as CronJob).status?.active?.length ?? 0), align: 'right' },
      { title: 'Last schedule', text: (w, now) => ago((w as CronJob).status?.lastScheduleTime, now) },
      images,
    ],
  },
];

/** kubectl 1.28+'s Job STATUS: Complete, Failed, Suspended or Running. */
export function jobStatus(j: Job): string {
  const has = (type: string) => j.status?.conditions?.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (j.spec?.suspend) return 'Suspended';
  return 'Running';
}

export const isScalable = (k: WorkloadKind): k is ScalableKind => k === 'deployments' || k === 'replicasets' || k === 'statefulsets';
export const hasRollout = (k: WorkloadKind): k is RolloutKind => k === 'deployments' || k === 'daemonsets' || k === 'statefulsets';

export function replicasOf(w: Workload): number {
  return (w as Deployment).spec?.replicas ?? 1;
}
