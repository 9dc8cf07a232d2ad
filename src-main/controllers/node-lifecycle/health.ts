// How the node lifecycle controller judges a node's health (upstream's tryUpdateNodeHealth): the
// newest sign of life is its Lease renewal or its Ready condition's heartbeat; past the grace
// period every condition the kubelet owns becomes Unknown, with upstream's reasons and messages.
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1';

/** The conditions a kubelet posts; NetworkUnavailable belongs to the network plugin and stays. */
export const kubeletConditionTypes = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** A node that never posted a Ready condition gets this long (--node-startup-grace-period). */
export const nodeStartupGracePeriodMs = 60_000;

function time(text: string | undefined): number {
  const t = text ? Date.parse(text) : NaN;
  return Number.isFinite(t) ? t : 0;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** When the node last showed it is alive, by what it wrote (0: never). */
export function lastSignOfLife(node: Node, lease: Lease | undefined): number {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return Math.max(time(lease?.spec?.renewTime), time(ready?.lastHeartbeatTime));
}

/**
 * The node's conditions with every kubelet condition Unknown, or undefined when they all
 * already are. The heartbeat time stays what the kubelet last wrote; the transition is now.
 */
export function unknownConditions(node: Node, now: number): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of kubeletConditionTypes) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: rfc3339(now),
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) });
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
