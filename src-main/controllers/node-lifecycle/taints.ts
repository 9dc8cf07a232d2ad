// The taints the node lifecycle controller keeps in step with a node's conditions, as upstream's
// TaintNodesByCondition (NoSchedule, so the scheduler stops placing pods) and taint-based
// eviction (NoExecute, so pods that do not tolerate it leave): Ready=False is not-ready,
// Ready=Unknown is unreachable, pressure conditions their own keys, spec.unschedulable (cordon)
// unschedulable. Taints anyone else set are left alone.
import type { Node, Taint } from 'kubernetes-types/core/v1';

export const nodeTaintKeys = {
  notReady: 'node.kubernetes.io/not-ready',
  unreachable: 'node.kubernetes.io/unreachable',
  unschedulable: 'node.kubernetes.io/unschedulable',
  memoryPressure: 'node.kubernetes.io/memory-pressure',
  diskPressure: 'node.kubernetes.io/disk-pressure',
  pidPressure: 'node.kubernetes.io/pid-pressure',
  networkUnavailable: 'node.kubernetes.io/network-unavailable',
} as const;

/** condition type → condition status → the NoSchedule taint key it means. */
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: nodeTaintKeys.notReady, Unknown: nodeTaintKeys.unreachable },
  MemoryPressure: { True: nodeTaintKeys.memoryPressure },
  DiskPressure: { True: nodeTaintKeys.diskPressure },
  PIDPressure: { True: nodeTaintKeys.pidPressure },
  NetworkUnavailable: { True: nodeTaintKeys.networkUnavailable },
};

const noScheduleKeys = new Set<string>([...Object.values(conditionTaints).flatMap((m) => Object.values(m)), nodeTaintKeys.unschedulable]);
const noExecuteKeys = new Set<string>([nodeTaintKeys.notReady, nodeTaintKeys.unreachable]);

function isManaged(t: Taint): boolean {
  return (t.effect === 'NoSchedule' && noScheduleKeys.has(t.key)) || (t.effect === 'NoExecute' && noExecuteKeys.has(t.key));
}

const sameTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

export function readyStatus(node: Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/** The controller's taints the node should have now. */
function wantedTaints(node: Node, noExecute: boolean): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaints[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: nodeTaintKeys.unschedulable, effect: 'NoSchedule' });
  const ready = readyStatus(node);
  if (noExecute && ready === 'False') out.push({ key: nodeTaintKeys.notReady, effect: 'NoExecute' });
  if (noExecute && ready === 'Unknown') out.push({ key: nodeTaintKeys.unreachable, effect: 'NoExecute' });
  return out;
}

/**
 * The node's taints after bringing the controller's in step, or undefined when they already
 * are. `noExecute` false (every node is down: the control plane's own network is the likely
 * culprit, as upstream's "master disruption mode" reasons) keeps NoExecute taints off, so
 * nothing is evicted. A NoExecute taint carries timeAdded, from which tolerationSeconds count.
 */
export function reconcileTaints(node: Node, now: number, noExecute = true): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wanted = wantedTaints(node, noExecute);
  const kept = current.filter((t) => !isManaged(t) || wanted.some((w) => sameTaint(w, t)));
  const added = wanted
    .filter((w) => !current.some((t) => sameTaint(t, w)))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z') } : w));
  if (kept.length === current.length && added.length === 0) return undefined;
  return [...kept, ...added];
}
