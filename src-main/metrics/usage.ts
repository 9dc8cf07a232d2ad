// Resource usage as nodes report it, the input of the metrics.k8s.io API (what metrics-server
// gathers from kubelets' /metrics/resource). Hollow nodes report fake usage through this; node
// agents report what their cgroups measure.

export interface ContainerUsage {
  name: string;
  /** CPU in nanocores (1 core = 1e9) averaged over the window. */
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodUsage extends SampleTime {
  namespace: string;
  name: string;
  containers: ContainerUsage[];
}

export interface NodeUsage extends SampleTime {
  name: string;
  cpuNanoCores: number;
  memoryBytes: number;
}

/** When one entry was measured, where it differs from the report's (each node scraped apart). */
export interface SampleTime {
  timestamp?: number;
  windowSeconds?: number;
}

export interface UsageReport {
  /** When the sample was taken (ms since the epoch). */
  timestamp: number;
  windowSeconds: number;
  nodes: NodeUsage[];
  pods: PodUsage[];
}

/** Something that can tell current usage: a hollow fleet, later the agents' stats. */
export interface MetricsSource {
  collect(): UsageReport;
}
