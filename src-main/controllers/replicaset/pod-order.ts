// Which pods a ReplicaSet deletes first when it has too many: upstream's ActivePodsWithRanks
// (pkg/controller/controller_utils.go). The least valuable go first — unscheduled before
// scheduled, Pending before Unknown before Running, not ready before ready, a lower
// controller.kubernetes.io/pod-deletion-cost first, pods doubled up on a node with other related
// pods first, then ready for less time, more restarts, and newer. Ages are compared on a
// logarithmic scale (LogarithmicScaleDown, on by default upstream), so pods of about the same age
// are treated as equal and broken by uid rather than by a few seconds' difference.
import type { Pod } from 'kubernetes-types/core/v1';
import { isPodActive, isPodReady, podReadyCondition } from '../pod-state.ts';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node: more means it is "doubled up". */
  rank: number;
  ready: boolean;
  cost: number;
  readyAt?: number;
  createdAt?: number;
  restarts: number;
}

/** The deletion cost of a pod; an absent or malformed annotation counts as 0. */
export function podDeletionCost(pod: Pod): number {
  const text = pod.metadata?.annotations?.[podDeletionCostAnnotation];
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return 0;
  const n = Number(text.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  for (const s of pod.status?.initContainerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

/** The bucket of an age on the log2 scale (in nanoseconds, as upstream's logarithmicRankDiff). */
function logBucket(at: number, now: number): number {
  const ns = Math.max(1, (now - at) * 1e6);
  return Math.floor(Math.log2(ns));
}

/** Negative: a is newer (deleted first); 0: same bucket (or both unknown). As afterOrZero + log scale. */
function compareAge(a: number | undefined, b: number | undefined, now: number): number {
  if (a === b) return 0;
  // a zero time counts as the newest of all, as upstream's afterOrZero
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return logBucket(a, now) - logBucket(b, now);
}

function byUid(a: Pod, b: Pod): number {
  const x = a.metadata?.uid ?? '';
  const y = b.metadata?.uid ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Negative when a should be deleted before b. */
function compareForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const nodeA = a.pod.spec?.nodeName ?? '';
  const nodeB = b.pod.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = phaseOrdinal[a.pod.status?.phase ?? ''] ?? 0;
  const phaseB = phaseOrdinal[b.pod.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.cost !== b.cost) return a.cost - b.cost;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.ready && b.ready && a.readyAt !== b.readyAt) {
    const d = compareAge(a.readyAt, b.readyAt, now);
    return d !== 0 ? d : byUid(a.pod, b.pod);
  }
  if (a.restarts !== b.restarts) return b.restarts - a.restarts;
  if (a.createdAt !== b.createdAt) {
    const d = compareAge(a.createdAt, b.createdAt, now);
    return d !== 0 ? d : byUid(a.pod, b.pod);
  }
  return 0;
}

/** Sorts pods so the ones to delete first come first; related pods give the doubled-up ranks. */
export function sortPodsForDeletion(pods: readonly Pod[], related: readonly Pod[], now: number): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => {
    const ready = isPodReady(pod);
    return {
      pod,
      rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0,
      ready,
      cost: podDeletionCost(pod),
      readyAt: ready ? parseTime(podReadyCondition(pod)?.lastTransitionTime) : undefined,
      createdAt: parseTime(pod.metadata?.creationTimestamp),
      restarts: maxRestarts(pod),
    };
  });
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.map((r) => r.pod);
}

/** The `count` pods to delete out of `pods` (upstream's getPodsToDelete). */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return [...pods];
  return sortPodsForDeletion(pods, related, now).slice(0, count);
}
