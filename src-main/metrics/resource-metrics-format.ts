// The kubelet's /metrics/resource (pkg/kubelet/metrics/collectors/resource_metrics.go): cumulative
// CPU seconds and memory working sets of the node, pods and containers in the Prometheus text
// format, which the agent writes and the control plane's scraper reads back, as metrics-server
// reads every kubelet's. Each sample carries the time it was measured (ms), so a rate is taken
// between two measurements, not two scrapes.

export interface ResourceSample {
  /** Cumulative CPU time in core-seconds. */
  cpuSeconds: number;
  memoryWorkingSetBytes: number;
  /** ms since the epoch. */
  timestamp: number;
}

export interface ResourceMetrics {
  node?: ResourceSample;
  /** By "namespace/pod". */
  pods: Map<string, ResourceSample>;
  /** By "namespace/pod", then container name. */
  containers: Map<string, Map<string, ResourceSample & { startTime?: number }>>;
  scrapeError: boolean;
}

const families: [name: string, type: 'counter' | 'gauge', help: string][] = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the container in core-seconds'],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes'],
  ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds'],
  ['node_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the node in core-seconds'],
  ['node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes'],
  ['pod_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed by the pod in core-seconds'],
  ['pod_memory_working_set_bytes', 'gauge', 'Current working set of the pod in bytes'],
  ['resource_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise'],
];

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (labels: Record<string, string>): string => {
  const parts = Object.keys(labels).sort().map((k) => `${k}="${escape(labels[k])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/** The text, families in name order as a Prometheus registry writes them. */
export function formatResourceMetrics(m: ResourceMetrics): string {
  const lines = new Map<string, string[]>(families.map(([name]) => [name, []]));
  const add = (name: string, labels: Record<string, string>, value: number, timestamp?: number) =>
    lines.get(name)!.push(`${name}${labelText(labels)} ${value}${timestamp !== undefined ? ` ${timestamp}` : ''}`);
  for (const [key, byName] of m.containers) {
    const [namespace, pod] = splitKey(key);
    for (const [container, s] of byName) {
      add('container_cpu_usage_seconds_total', { container, namespace, pod }, s.cpuSeconds, s.timestamp);
      add('container_memory_working_set_bytes', { container, namespace, pod }, s.memoryWorkingSetBytes, s.timestamp);
      if (s.startTime !== undefined) add('container_start_time_seconds', { container, namespace, pod }, s.startTime / 1000, s.timestamp);
    }
  }
  if (m.node) {
    add('node_cpu_usage_seconds_total', {}, m.node.cpuSeconds, m.node.timestamp);
    add('node_memory_working_set_bytes', {}, m.node.memoryWorkingSetBytes, m.node.timestamp);
  }
  for (const [key, s] of m.pods) {
    const [namespace, pod] = splitKey(key);
    add('pod_cpu_usage_seconds_total', { namespace, pod }, s.cpuSeconds, s.timestamp);
    add('pod_memory_working_set_bytes', { namespace, pod }, s.memoryWorkingSetBytes, s.timestamp);
  }
  add('resource_scrape_error', {}, m.scrapeError ? 1 : 0);
  return families.map(([name, type, help]) => `# HELP ${name} [STABLE] ${help}\n# TYPE ${name} ${type}\n${lines.get(name)!.map((l) => `${l}\n`).join('')}`).join('');
}

const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};

const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads the text back (unknown families and comments are skipped, as metrics-server does). */
export function parseResourceMetrics(text: string, defaultTimestamp: number): ResourceMetrics {
  const out: ResourceMetrics = { pods: new Map(), containers: new Map(), scrapeError: false };
  const partial = new Map<string, Partial<ResourceSample> & { startTime?: number }>();
  const entry = (key: string) => partial.get(key) ?? partial.set(key, {}).get(key)!;
  for (const line of text.split('\n')) {
    const m = sampleRe.exec(line.trim());
    if (!m) continue;
    const [, name, labelPart, valueText, ts] = m;
    const labels: Record<string, string> = {};
    for (const l of (labelPart ?? '').matchAll(labelRe)) labels[l[1]] = l[2].replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(valueText);
    const timestamp = ts !== undefined ? Number(ts) : defaultTimestamp;
    const scope = name.split('_')[0];
    if (name === 'resource_scrape_error') {
      out.scrapeError = value !== 0;
      continue;
    }
    const key = scope === 'node' ? 'node' : scope === 'pod' ? `pod\u0000${labels.namespace}/${labels.pod}` : `container\u0000${labels.namespace}/${labels.pod}\u0000${labels.container}`;
    const e = entry(key);
    if (name.endsWith('_cpu_usage_seconds_total')) Object.assign(e, { cpuSeconds: value, timestamp });
    else if (name.endsWith('_memory_working_set_bytes')) e.memoryWorkingSetBytes = value;
    else if (name === 'container_start_time_seconds') e.startTime = value * 1000;
  }
  for (const [key, e] of partial) {
    if (e.cpuSeconds === undefined || e.memoryWorkingSetBytes === undefined) continue;
    const sample = { cpuSeconds: e.cpuSeconds, memoryWorkingSetBytes: e.memoryWorkingSetBytes, timestamp: e.timestamp ?? defaultTimestamp };
    const [scope, podKey, container] = key.split('\u0000');
    if (scope === 'node') out.node = sample;
    else if (scope === 'pod') out.pods.set(podKey, sample);
    else {
      const byName = out.containers.get(podKey) ?? out.containers.set(podKey, new Map()).get(podKey)!;
      byName.set(container, { ...sample, ...(e.startTime !== undefined ? { startTime: e.startTime } : {}) });
    }
  }
  return out;
}
