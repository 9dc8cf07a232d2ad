// Which pod goes first (pkg/kubelet/eviction/helpers.go): for memory, pods using more than they
// requested, then lower priority, then usage above the request; the same for disk with
// ephemeral storage; for pids, priority then process count. And the message the evicted pod and
// its event carry: "The node was low on resource: memory. Threshold quantity: 100Mi, available:
// 51200Ki. Container c was using 200Mi, request is 0, has larger consumption of memory. "
import type { Pod } from 'kubernetes-types/core/v1';
import { canonicalQuantity, formatQuantity, parseQuantity, value } from '../../../util/quantity.ts';
import type { PodStats } from '../../stats/summary-types.ts';
import { resourceOf, thresholdQuantity, type Observation, type Signal, type Threshold } from './thresholds.ts';

export interface Candidate {
  pod: Pod;
  stats: PodStats;
}

type Resource = 'memory' | 'ephemeral-storage';

/** What a container requests of a resource, in bytes (0 without a request). */
function containerRequest(pod: Pod, name: string, resource: Resource): number {
  const q = pod.spec?.containers.find((c) => c.name === name)?.resources?.requests?.[resource];
  return q === undefined ? 0 : value(parseQuantity(q));
}

function podRequest(pod: Pod, resource: Resource): number {
  return (pod.spec?.containers ?? []).reduce((n, c) => n + containerRequest(pod, c.name, resource), 0);
}

/** The usage a signal ranks by: memory working set, ephemeral storage, or the writable layers. */
function usage(signal: Signal, stats: PodStats): number {
  switch (signal) {
    case 'memory.available': return stats.memory?.workingSetBytes ?? 0;
    case 'nodefs.available': return stats['ephemeral-storage']?.usedBytes ?? 0;
    case 'nodefs.inodesFree': return stats['ephemeral-storage']?.inodesUsed ?? 0;
    case 'imagefs.available': return stats.containers.reduce((n, c) => n + (c.rootfs?.usedBytes ?? 0), 0);
    case 'imagefs.inodesFree': return stats.containers.reduce((n, c) => n + (c.rootfs?.inodesUsed ?? 0), 0);
    case 'pid.available': return stats.process_stats?.process_count ?? 0;
  }
}

/** Sorted in eviction order (a stable sort: ties keep the kubelet's order). */
export function rank(signal: Signal, candidates: Candidate[]): Candidate[] {
  const priority = (c: Candidate) => c.pod.spec?.priority ?? 0;
  const resource = resourceOf[signal];
  // Nothing requests inodes: every use of them is above the request.
  const above = (c: Candidate) => usage(signal, c.stats) - (resource === 'memory' || resource === 'ephemeral-storage' ? podRequest(c.pod, resource) : 0);
  const order = signal === 'pid.available'
    ? [(a: Candidate, b: Candidate) => priority(a) - priority(b), (a: Candidate, b: Candidate) => usage(signal, b.stats) - usage(signal, a.stats)]
    : [
      (a: Candidate, b: Candidate) => Number(above(b) > 0) - Number(above(a) > 0),
      (a: Candidate, b: Candidate) => priority(a) - priority(b),
      (a: Candidate, b: Candidate) => above(b) - above(a),
    ];
  return [...candidates].sort((a, b) => order.reduce((r, cmp) => r || cmp(a, b), 0));
}

const binary = (n: number): string => formatQuantity({ nanos: BigInt(Math.max(0, Math.trunc(n))) * 1_000_000_000n, format: 'BinarySI' });
const decimal = (n: number): string => formatQuantity({ nanos: BigInt(Math.max(0, Math.trunc(n))) * 1_000_000_000n, format: 'DecimalSI' });

/** The message and the offending containers (evictionMessage). */
export function evictionMessage(threshold: Threshold, observed: Observation, { pod, stats }: Candidate): { message: string; containers: string[] } {
  const resource = resourceOf[threshold.signal];
  const fmt = resource === 'pids' || resource === 'inodes' ? decimal : binary;
  let message = `The node was low on resource: ${resource}. `;
  message += `Threshold quantity: ${fmt(thresholdQuantity(threshold, observed.capacity))}, available: ${fmt(observed.available)}. `;
  const containers: string[] = [];
  if (resource === 'pids' || resource === 'inodes') return { message, containers };
  for (const c of stats.containers) {
    if (!pod.spec?.containers.some((s) => s.name === c.name)) continue;
    const used = resource === 'memory' ? c.memory?.workingSetBytes : c.rootfs && c.logs ? c.rootfs.usedBytes + c.logs.usedBytes : undefined;
    const requested = pod.spec.containers.find((s) => s.name === c.name)?.resources?.requests?.[resource];
    if (used === undefined || used <= containerRequest(pod, c.name, resource)) continue;
    message += `Container ${c.name} was using ${binary(used)}, request is ${requested === undefined ? '0' : canonicalQuantity(requested)}, has larger consumption of ${resource}. `;
    containers.push(c.name);
  }
  return { message, containers };
}
