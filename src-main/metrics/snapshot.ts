// The latest usage of every node and pod, merged from all metrics sources (metrics-server's
// storage of its last scrape). Taken on demand; a snapshot is reused for a moment so that a burst
// of requests (every HPA syncing at once, `kubectl top` listing then getting) collects once.
import type { ContainerUsage, MetricsSource, NodeUsage, SampleTime } from './usage.ts';
import type { Sample } from './api/objects.ts';
import { realClock, type Clock } from '../util/clock.ts';

export interface UsageSnapshot {
  nodes: Map<string, Sample<NodeUsage>>;
  /** By "namespace/name". */
  pods: Map<string, Sample<ContainerUsage[]>>;
}

/** How long a snapshot is reused, in real time and in the clock's time alike. */
const reuseMs = 1000;

export class UsageCollector {
  private last?: { snapshot: UsageSnapshot; at: number; realAt: number };

  constructor(
    private readonly sources: readonly MetricsSource[],
    private readonly clock: Clock = realClock,
  ) {}

  snapshot(): UsageSnapshot {
    const now = this.clock.now();
    const realNow = Date.now();
    const last = this.last;
    if (last && now >= last.at && now - last.at < reuseMs && realNow - last.realAt < reuseMs) return last.snapshot;
    const snapshot = this.collect();
    this.last = { snapshot, at: now, realAt: realNow };
    return snapshot;
  }

  private collect(): UsageSnapshot {
    const nodes = new Map<string, Sample<NodeUsage>>();
    const pods = new Map<string, Sample<ContainerUsage[]>>();
    for (const source of this.sources) {
      const report = source.collect();
      const at = { timestamp: report.timestamp, windowSeconds: report.windowSeconds };
      const own = (e: SampleTime) => ({ timestamp: e.timestamp ?? at.timestamp, windowSeconds: e.windowSeconds ?? at.windowSeconds });
      for (const n of report.nodes) nodes.set(n.name, { usage: n, ...own(n) });
      for (const p of report.pods) pods.set(`${p.namespace}/${p.name}`, { usage: p.containers, ...own(p) });
    }
    return { nodes, pods };
  }
}
