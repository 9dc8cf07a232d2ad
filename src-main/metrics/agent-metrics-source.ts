// Usage of the nodes that run an agent, as metrics-server gathers it: every 15 s each node whose
// status names a kubelet port (status.daemonEndpoints.kubeletEndpoint.Port) is asked for
// /metrics/resource, and the last two scrapes of a node give the CPU rates — the counter's growth
// between the two measurement times — next to the latest working sets. A node or pod with one
// scrape only, a container that restarted between the two (a new start time, a counter that went
// back) or a pod missing one of its containers is left out until the next scrape, as upstream.
import type { Node } from 'kubernetes-types/core/v1';
import type { AgentConnector } from '../api/node-proxy/agent-connector.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { gvr } from '../client/resources.ts';
import { parseResourceMetrics, type ResourceMetrics, type ResourceSample } from './resource-metrics-format.ts';
import type { ContainerUsage, MetricsSource, NodeUsage, PodUsage, UsageReport } from './usage.ts';

/** GET path on the node's agent, returning the body (the AgentConnector does TLS and auth). */
export type AgentGet = (node: Node, path: string) => Promise<string>;

const MAX_BODY = 64 * 1024 * 1024;

/** AgentGet through the API server's connection to the agents; a non-200 answer is an error. */
export function connectorGet(agents: AgentConnector): AgentGet {
  return async (node, path) => {
    const res = await agents.request(node.metadata!.name!, path, { signal: AbortSignal.timeout(10_000) });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) throw new Error(`${path}: answer over ${MAX_BODY} bytes`);
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.trim()}`);
    return body;
  };
}

export interface AgentMetricsOptions {
  client: KubeClient;
  get: AgentGet;
  /** metrics-server's --metric-resolution (15 s). */
  intervalMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface Scrapes {
  previous?: ResourceMetrics;
  latest: ResourceMetrics;
}

export class AgentMetricsSource implements MetricsSource {
  private readonly scrapes = new Map<string, Scrapes>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly opts: AgentMetricsOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.scrape(), this.opts.intervalMs ?? 15_000);
    this.timer.unref();
    void this.scrape();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every agent node (rounds never overlap); failures leave a node's last scrapes. */
  scrape(): Promise<void> {
    this.running ??= this.scrapeAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async scrapeAll(): Promise<void> {
    let nodes: Node[];
    try {
      // Hollow nodes report a kubelet port too, at addresses nothing answers: their usage is the fleet's.
      nodes = (await this.opts.client.list<Node>(gvr.nodes, { labelSelector: 'node.kubelab.dev/hollow!=true' })).items;
    } catch (e) {
      this.opts.log?.(`metrics: listing nodes: ${(e as Error).message}`);
      return;
    }
    const agents = nodes.filter((n) => (n.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0) > 0);
    const names = new Set(agents.map((n) => n.metadata!.name!));
    for (const name of this.scrapes.keys()) if (!names.has(name)) this.scrapes.delete(name);
    await Promise.all(agents.map(async (node) => {
      const name = node.metadata!.name!;
      try {
        const latest = parseResourceMetrics(await this.opts.get(node, '/metrics/resource'), this.now());
        this.scrapes.set(name, { previous: this.scrapes.get(name)?.latest, latest });
      } catch (e) {
        this.opts.log?.(`metrics: scraping node ${name}: ${(e as Error).message}`);
      }
    }));
  }

  collect(): UsageReport {
    const nodes: NodeUsage[] = [];
    const pods: PodUsage[] = [];
    for (const [name, { previous, latest }] of this.scrapes) {
      if (!previous) continue;
      const node = rate(previous.node, latest.node);
      if (node) nodes.push({ name, cpuNanoCores: node.cpuNanoCores, memoryBytes: node.memoryBytes, ...node.time });
      for (const [key, containers] of latest.containers) {
        const before = previous.containers.get(key);
        const usage: ContainerUsage[] = [];
        let time: Rate['time'] | undefined;
        for (const [container, sample] of containers) {
          const old = before?.get(container);
          const r = old && old.startTime === sample.startTime ? rate(old, sample) : undefined;
          if (!r) break;
          usage.push({ name: container, cpuNanoCores: r.cpuNanoCores, memoryBytes: r.memoryBytes });
          time ??= r.time;
        }
        if (!time || usage.length !== containers.size) continue;
        const [namespace, podName] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
        pods.push({ namespace, name: podName, containers: usage, ...time });
      }
    }
    return { timestamp: this.now(), windowSeconds: (this.opts.intervalMs ?? 15_000) / 1000, nodes, pods };
  }
}

interface Rate {
  cpuNanoCores: number;
  memoryBytes: number;
  time: { timestamp: number; windowSeconds: number };
}

/** The CPU rate between two measurements and the latest working set; none if they cannot be compared. */
function rate(before: ResourceSample | undefined, after: ResourceSample | undefined): Rate | undefined {
  if (!before || !after || after.timestamp <= before.timestamp || after.cpuSeconds < before.cpuSeconds) return undefined;
  const seconds = (after.timestamp - before.timestamp) / 1000;
  return {
    cpuNanoCores: ((after.cpuSeconds - before.cpuSeconds) / seconds) * 1e9,
    memoryBytes: after.memoryWorkingSetBytes,
    time: { timestamp: after.timestamp, windowSeconds: seconds },
  };
}
