import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { admissionRejection } from '../../../../src-main/agent/kubelet/eviction/admission.ts';
import { evictionMessage, rank, type Candidate } from '../../../../src-main/agent/kubelet/eviction/ranking.ts';
import type { PodStats } from '../../../../src-main/agent/stats/summary-types.ts';

const Mi = 1024 * 1024;
const time = '2026-12-01T10:00:00Z';

function candidate(name: string, usedMi: number, opts: { requestMi?: number; priority?: number; processes?: number } = {}): Candidate {
  const pod: Pod = {
    metadata: { name, namespace: 'default', uid: name },
    spec: { priority: opts.priority, containers: [{ name: 'c', ...(opts.requestMi !== undefined ? { resources: { requests: { memory: `${opts.requestMi}Mi` } } } : {}) }] },
  };
  const memory = { time, usageBytes: usedMi * Mi, workingSetBytes: usedMi * Mi, rssBytes: 0, pageFaults: 0, majorPageFaults: 0 };
  const stats: PodStats = {
    podRef: { name, namespace: 'default', uid: name }, startTime: time, memory,
    containers: [{ name: 'c', startTime: time, memory }], process_stats: { process_count: opts.processes ?? 1 },
  };
  return { pod, stats };
}

describe('eviction ranking', () => {
  it('memory: over their requests first, then lower priority, then usage above the request', () => {
    const pods = [
      candidate('within', 500, { requestMi: 1000 }),
      candidate('over-small', 20, { requestMi: 10 }),
      candidate('over-big', 300, { requestMi: 100 }),
      candidate('over-important', 900, { priority: 1000 }),
      candidate('within-low', 5, { requestMi: 10, priority: -10 }),
    ];
    expect(rank('memory.available', pods).map((c) => c.pod.metadata!.name)).toEqual(['over-big', 'over-small', 'over-important', 'within-low', 'within']);
  });

  it('pids: priority, then the most processes', () => {
    const pods = [candidate('few', 1, { processes: 2 }), candidate('many', 1, { processes: 50 }), candidate('low', 1, { processes: 1, priority: -1 })];
    expect(rank('pid.available', pods).map((c) => c.pod.metadata!.name)).toEqual(['low', 'many', 'few']);
  });

  it('inodes: nothing requests them, so the pod using the most goes first', () => {
    const withInodes = (name: string, n: number, requestMi: number) => {
      const c = candidate(name, 1, { requestMi });
      c.stats['ephemeral-storage'] = { time, availableBytes: 0, capacityBytes: 0, usedBytes: 0, inodesFree: 0, inodes: 0, inodesUsed: n };
      return c;
    };
    expect(rank('nodefs.inodesFree', [withInodes('few', 10, 0), withInodes('many', 5000, 1000)]).map((c) => c.pod.metadata!.name)).toEqual(['many', 'few']);
    expect(evictionMessage({ signal: 'nodefs.inodesFree', percentage: 0.05 }, { available: 100, capacity: 10000 }, withInodes('many', 5000, 0)).message)
      .toBe('The node was low on resource: inodes. Threshold quantity: 500, available: 100. ');
  });

  it('words the message as upstream, naming only the containers above their request', () => {
    const observed = { available: 50 * Mi, capacity: 1024 * Mi };
    expect(evictionMessage({ signal: 'memory.available', quantity: 100 * Mi }, observed, candidate('p', 300, { requestMi: 100 })).message)
      .toBe('The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container c was using 300Mi, request is 100Mi, has larger consumption of memory. ');
    expect(evictionMessage({ signal: 'nodefs.available', percentage: 0.1 }, { available: 1000, capacity: 100 * Mi }, candidate('p', 300, { requestMi: 1000 })).message)
      .toBe('The node was low on resource: ephemeral-storage. Threshold quantity: 10Mi, available: 1000. ');
  });
});

describe('admission under pressure', () => {
  const pod = (qosClass: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ spec: { containers: [], ...extra }, status: { qosClass } });
  it('turns away BestEffort pods under memory pressure, every pod under disk or pid pressure, never a critical one', () => {
    const memory = new Set(['MemoryPressure'] as const);
    expect(admissionRejection(pod('BestEffort'), new Set())).toBeUndefined();
    expect(admissionRejection(pod('BestEffort'), memory)).toBe('The node had condition: [MemoryPressure]. ');
    expect(admissionRejection(pod('Burstable'), memory)).toBeUndefined();
    expect(admissionRejection(pod('BestEffort', { tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] }), memory)).toBeUndefined();
    expect(admissionRejection(pod('Guaranteed'), new Set(['DiskPressure', 'MemoryPressure'] as const))).toBe('The node had condition: [MemoryPressure DiskPressure]. ');
    expect(admissionRejection(pod('Guaranteed', { priority: 2_000_001_000 }), new Set(['PIDPressure'] as const))).toBeUndefined();
  });
});
