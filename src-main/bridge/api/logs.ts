// Container logs as streams: one pod's container, or every pod a label selector picks merged
// live (stern's view). Lines come in batches, many a message, so a chatty container costs a few
// messages a second on the bridge, not one per line.
import type { StreamOpened } from '../protocol.ts';
import type { WorkloadLogLine } from '../workload-logs.ts';

export type { WorkloadLogLine } from '../workload-logs.ts';

export interface PodLogsParams {
  namespace: string;
  pod: string;
  /** Needed when the pod has more than one container (init containers included). */
  container?: string;
  /** The last terminated run instead of the current one (`kubectl logs --previous`). */
  previous?: boolean;
  /** Keep the stream open for what the container writes next. */
  follow: boolean;
  /** Only the last N lines of what was written so far. */
  tailLines?: number;
  /** Each line starts with the kubelet's RFC 3339 time and a space. */
  timestamps?: boolean;
}

/** One stream message of podLogs: whole lines, without their newline. */
export interface PodLogBatch {
  lines: string[];
}

export interface WorkloadLogsParams {
  namespace: string;
  labelSelector: string;
  /** Lines from before the follow began, per container (default 10, as stern). */
  tailLines?: number;
}

/** One stream message of workloadLogs: lines of any of the pods, and what went wrong meanwhile. */
export interface WorkloadLogBatch {
  lines: WorkloadLogLine[];
  errors?: string[];
}

export interface LogMethods {
  podLogs: { params: PodLogsParams; result: StreamOpened };
  workloadLogs: { params: WorkloadLogsParams; result: StreamOpened };
}
