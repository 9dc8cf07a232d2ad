import { describe, expect, it } from 'vitest';
import type { Node } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';
import { AgentMetricsSource } from '../../../src-main/metrics/agent-metrics-source.ts';
import { formatResourceMetrics } from '../../../src-main/metrics/resource-metrics-format.ts';

const node = (name: string, port: number): Node => ({ metadata: { name }, status: { daemonEndpoints: { kubeletEndpoint: { Port: port } } } });

/** An agent's text at time t (ms) with the given cumulative CPU seconds of node, web/main and web/side. */
function text(t: number, cpu: { node: number; main: number; side?: number }, mainStart = 1000): string {
  const s = (cpuSeconds: number) => ({ cpuSeconds, memoryWorkingSetBytes: 5 * 1024 * 1024, timestamp: t });
  const containers = new Map([['main', { ...s(cpu.main), startTime: mainStart }]]);
  if (cpu.side !== undefined) containers.set('side', { ...s(cpu.side), startTime: 1000 });
  return formatResourceMetrics({ node: s(cpu.node), pods: new Map([['default/web', s(cpu.main)]]), containers: new Map([['default/web', containers]]), scrapeError: false });
}

describe('the agents\' metrics source', () => {
  it('gives rates between the last two scrapes of each agent node, and leaves out what cannot be compared', async () => {
    let body = '';
    const asked: string[] = [];
    const selectors: unknown[] = [];
    const client = { list: async (_r: unknown, o: unknown) => (selectors.push(o), { items: [node('agent-1', 10250), node('off', 0)] }) } as unknown as KubeClient;
    const source = new AgentMetricsSource({ client, get: async (n, path) => (asked.push(`${n.metadata!.name}${path}`), body), now: () => 0 });
    body = text(10_000, { node: 100, main: 1, side: 2 });
    await source.scrape();
    expect(asked).toEqual(['agent-1/metrics/resource']); // a node without an agent port is not asked
    expect(selectors).toEqual([{ labelSelector: 'node.kubelab.dev/hollow!=true' }]);
    expect(source.collect()).toMatchObject({ nodes: [], pods: [] }); // one scrape: no rate yet
    body = text(25_000, { node: 115, main: 4, side: 2.15 });
    await source.scrape();
    const report = source.collect();
    expect(report.nodes).toEqual([{ name: 'agent-1', cpuNanoCores: 1e9, memoryBytes: 5 * 1024 * 1024, timestamp: 25_000, windowSeconds: 15 }]);
    expect(report.pods).toHaveLength(1);
    expect(report.pods[0]).toMatchObject({ namespace: 'default', name: 'web', timestamp: 25_000, windowSeconds: 15 });
    expect(report.pods[0].containers.map((c) => [c.name, Math.round(c.cpuNanoCores / 1e6)])).toEqual([['main', 200], ['side', 10]]);
    // main restarted: the pod is absent until two scrapes of the new container exist.
    body = text(40_000, { node: 130, main: 0.5, side: 2.3 }, 30_000);
    await source.scrape();
    expect(source.collect().pods).toEqual([]);
    expect(source.collect().nodes).toHaveLength(1);
  });
});
