// What the agent's HTTPS server answers for stats: GET /stats/summary (JSON, the Summary API;
// ?only_cpu_and_memory=true leaves out disk and volumes, as upstream) and GET /metrics/resource
// (Prometheus text). Plain functions from the provider to a body, so the server only routes.
import { formatResourceMetrics, type ResourceMetrics, type ResourceSample } from '../../metrics/resource-metrics-format.ts';
import type { StatsProvider } from './stats-provider.ts';
import type { CPUStats, MemoryStats, Summary } from './summary-types.ts';

export interface StatsResponse {
  contentType: string;
  body: string;
}

export async function statsSummaryResponse(provider: StatsProvider, query: URLSearchParams): Promise<StatsResponse> {
  const only = query.get('only_cpu_and_memory') === 'true';
  const { summary } = await provider.reading({ disk: !only });
  const body = only ? cpuAndMemoryOnly(summary) : summary;
  return { contentType: 'application/json', body: JSON.stringify(body, null, 2) };
}

function cpuAndMemoryOnly(s: Summary): unknown {
  const { nodeName, systemContainers, startTime, cpu, memory } = s.node;
  return {
    node: { nodeName, systemContainers, startTime, cpu, memory },
    pods: s.pods.map(({ podRef, startTime: t, containers, cpu: c, memory: m }) => ({
      podRef, startTime: t, cpu: c, memory: m,
      containers: containers.map(({ name, startTime: ct, cpu: cc, memory: cm }) => ({ name, startTime: ct, cpu: cc, memory: cm })),
    })),
  };
}

export async function resourceMetricsResponse(provider: StatsProvider): Promise<StatsResponse> {
  let metrics: ResourceMetrics;
  try {
    const { at, summary } = await provider.reading({ disk: false });
    metrics = toResourceMetrics(summary, at);
  } catch {
    // Upstream reports a failed collection in the text itself, with a 200.
    metrics = { pods: new Map(), containers: new Map(), scrapeError: true };
  }
  return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: formatResourceMetrics(metrics) };
}

export function toResourceMetrics(s: Summary, at: number): ResourceMetrics {
  const sample = (cpu?: CPUStats, memory?: MemoryStats): ResourceSample | undefined =>
    cpu && memory ? { cpuSeconds: cpu.usageCoreNanoSeconds / 1e9, memoryWorkingSetBytes: memory.workingSetBytes, timestamp: at } : undefined;
  const out: ResourceMetrics = { node: sample(s.node.cpu, s.node.memory), pods: new Map(), containers: new Map(), scrapeError: false };
  for (const p of s.pods) {
    const key = `${p.podRef.namespace}/${p.podRef.name}`;
    const podSample = sample(p.cpu, p.memory);
    if (podSample) out.pods.set(key, podSample);
    const byName = new Map<string, ResourceSample & { startTime?: number }>();
    for (const c of p.containers) {
      const cs = sample(c.cpu, c.memory);
      if (cs) byName.set(c.name, { ...cs, startTime: Date.parse(c.startTime) });
    }
    out.containers.set(key, byName);
  }
  return out;
}
