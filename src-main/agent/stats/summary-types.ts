// The kubelet's Summary API (stats/v1alpha1, GET /stats/summary): the parts metrics-server, the
// eviction manager and users read. Field names and optionality as upstream's JSON.
import type { FsStats } from './fs-usage.ts';

export interface CPUStats {
  time: string;
  /** Omitted until two readings are far enough apart to give a rate. */
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
}

export type TimedFsStats = FsStats & { time: string };

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  rootfs?: TimedFsStats;
  logs?: TimedFsStats;
}

export interface VolumeStats extends TimedFsStats {
  name: string;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerStats[];
  cpu?: CPUStats;
  memory?: MemoryStats;
  volume?: VolumeStats[];
  'ephemeral-storage'?: TimedFsStats;
  process_stats?: { process_count: number };
}

export interface NodeStats {
  nodeName: string;
  systemContainers?: ContainerStats[];
  startTime: string;
  cpu: CPUStats;
  memory: MemoryStats;
  /** Disk figures are left out of a CPU-and-memory reading. */
  fs?: TimedFsStats;
  runtime?: { imageFs: TimedFsStats; containerFs: TimedFsStats };
  rlimit: { time: string; maxpid: number; curproc: number };
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}
