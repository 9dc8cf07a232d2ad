// The nodes' usage over time for the Overview's charts: one sample of metrics.k8s.io NodeMetrics
// every 15 s, the last hour kept here in the main process so a view opened later still has
// history. Sampling runs only while someone listens.
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { milliValue, parseQuantity, value } from '../../util/quantity.ts';
import type { NodeUsageSample, UsageSample } from '../api/nodes.ts';

interface NodeMetrics {
  metadata?: { name?: string };
  usage?: { cpu?: string; memory?: string };
}

export type UsageListener = (sample: UsageSample) => void;

export class UsageSampler {
  readonly #client: KubeClient;
  readonly #intervalMs: number;
  readonly #keepMs: number;
  readonly #listeners = new Set<UsageListener>();
  #samples: UsageSample[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(client: KubeClient, opts: { intervalMs?: number; keepMs?: number } = {}) {
    this.#client = client;
    this.#intervalMs = opts.intervalMs ?? 15_000;
    this.#keepMs = opts.keepMs ?? 60 * 60_000;
  }

  /** The kept samples, oldest first. */
  get history(): readonly UsageSample[] {
    return this.#samples;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Listens to new samples; the first listener starts sampling (at once), the last one stops it. */
  subscribe(listener: UsageListener): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
      void this.sample();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes one sample now, keeps it, tells the listeners. */
  async sample(): Promise<UsageSample> {
    const sample = await readUsage(this.#client);
    this.#samples = [...this.#samples.filter((s) => s.time > sample.time - this.#keepMs), sample];
    for (const l of [...this.#listeners]) l(sample);
    return sample;
  }
}

/** One reading of NodeMetrics; an API without metrics is a sample saying so, never an error. */
export async function readUsage(client: KubeClient): Promise<UsageSample> {
  const time = Date.now();
  try {
    const items = (await client.list<NodeMetrics>(gvr.nodeMetrics)).items;
    const nodes: NodeUsageSample[] = items.flatMap((m) => {
      if (!m.metadata?.name || m.usage?.cpu === undefined || m.usage.memory === undefined) return [];
      return [{ name: m.metadata.name, cpu: milliValue(parseQuantity(m.usage.cpu)), memory: value(parseQuantity(m.usage.memory)) }];
    });
    return nodes.length > 0 ? { time, available: true, nodes } : { time, available: false, nodes, reason: 'no node reports its usage' };
  } catch (e) {
    return { time, available: false, nodes: [], reason: `the metrics API (metrics.k8s.io) did not answer: ${(e as Error).message}` };
  }
}
