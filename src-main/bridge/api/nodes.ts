// Node actions and the cluster's resource usage over time.
import type { StreamOpened } from '../protocol.ts';
import type { StepEvent } from '../../provision/progress.ts';

/** Usage of one node at one time, from metrics.k8s.io (what `kubectl top nodes` shows). */
export interface NodeUsageSample {
  name: string;
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

export interface UsageSample {
  /** ms since the epoch. */
  time: number;
  /** false: the metrics API answered with an error or without any node (no metrics pipeline). */
  available: boolean;
  nodes: NodeUsageSample[];
  /** Why no metrics, when not available. */
  reason?: string;
}

/** Messages of the usageHistory stream: the kept history first, then each new sample. */
export type UsageMessage = { type: 'history'; samples: UsageSample[] } | { type: 'sample'; sample: UsageSample };

/** Messages of the removeNode stream: each step's progress, then the outcome. */
export type RemoveNodeMessage = { type: 'step'; event: StepEvent } | { type: 'done'; left: string[] };

export interface NodeMethods {
  /** kubectl cordon (true) / uncordon (false): spec.unschedulable. */
  cordonNode: { params: { name: string; unschedulable: boolean }; result: null };
  /**
   * kubectl drain --ignore-daemonsets --delete-emptydir-data: cordon, then its pods go. Pods no
   * controller would recreate are refused (the node stays as it was) unless force (--force).
   */
  drainNode: { params: { name: string; force?: boolean }; result: null };
  /** Names of the nodes this computer added over SSH (`kubelab node list`): those removeNode cleans. */
  sshNodes: { params: Record<string, never>; result: string[] };
  /**
   * kubelab node remove over SSH, as a stream of RemoveNodeMessage. A password node needs it
   * again unless it is remembered in the keychain; the remembered secrets go with the node.
   */
  removeNode: { params: { name: string; password?: string }; result: StreamOpened };
  /** The nodes' usage: the last hour, then a sample every 15 s (UsageMessage). */
  usageHistory: { params: Record<string, never>; result: StreamOpened };
}
