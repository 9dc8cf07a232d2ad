import { describe, expect, it } from 'vitest';
import { formatResourceMetrics, parseResourceMetrics } from '../../../src-main/metrics/resource-metrics-format.ts';
import { CpuRates } from '../../../src-main/agent/stats/cpu-rates.ts';

describe('/metrics/resource text', () => {
  it('writes the kubelet families in name order and reads them back', () => {
    const text = formatResourceMetrics({
      node: { cpuSeconds: 12.5, memoryWorkingSetBytes: 1e9, timestamp: 1700000000123 },
      pods: new Map([['default/web', { cpuSeconds: 0.25, memoryWorkingSetBytes: 2048, timestamp: 1700000000123 }]]),
      containers: new Map([['default/web', new Map([['ma"in', { cpuSeconds: 0.25, memoryWorkingSetBytes: 2048, timestamp: 1700000000123, startTime: 1700000000000 }]])]]),
      scrapeError: false,
    });
    expect(text).toContain('# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n# TYPE node_cpu_usage_seconds_total counter\nnode_cpu_usage_seconds_total 12.5 1700000000123\n');
    expect(text).toContain('container_memory_working_set_bytes{container="ma\\"in",namespace="default",pod="web"} 2048 1700000000123\n');
    expect(text).toContain('container_start_time_seconds{container="ma\\"in",namespace="default",pod="web"} 1700000000 1700000000123\n');
    expect(text.trimEnd().endsWith('resource_scrape_error 0')).toBe(true);
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(names).toEqual([...names].sort());
    const back = parseResourceMetrics(text, 0);
    expect(back.node).toEqual({ cpuSeconds: 12.5, memoryWorkingSetBytes: 1e9, timestamp: 1700000000123 });
    expect(back.pods.get('default/web')).toEqual({ cpuSeconds: 0.25, memoryWorkingSetBytes: 2048, timestamp: 1700000000123 });
    expect(back.containers.get('default/web')?.get('ma"in')).toMatchObject({ startTime: 1700000000000, memoryWorkingSetBytes: 2048 });
    expect(parseResourceMetrics('resource_scrape_error 1\n', 0).scrapeError).toBe(true);
  });
});

describe('CPU rates', () => {
  it('needs a reading at least a second old, then gives nanocores over the window', () => {
    const r = new CpuRates();
    expect(r.observe('c', 0, 0)).toBeUndefined();
    expect(r.observe('c', 500, 1e8)).toBeUndefined();
    // 1.5 cores for 2 s from the first reading.
    expect(r.observe('c', 2000, 3e9)).toBe(1.5e9);
    // Sparse readings: the newest before the 15 s window is the base.
    expect(r.observe('c', 18_000, 3e9 + 16e9 * 0.5)).toBe(0.5e9);
    // A counter that went back (a new cgroup under the same key) starts over.
    expect(r.observe('c', 19_000, 10)).toBeUndefined();
  });
});
