// What the scheduler knows of one node (framework.NodeInfo): the Node, the pods on it (bound or
// assumed, not finished), and sums kept up to date as pods come and go — requested and
// "non-zero" requested resources, host ports in use, and how many replicas of each controller it
// holds — so that a filter or score is O(1) per node instead of a walk over its pods.
import type { Node, Taint } from 'kubernetes-types/core/v1';
import type { HostPort, PodInfo } from './pod-info.ts';
import { addResources, emptyResources, nodeAllocatable, type Allocatable, type Resources } from './resources.ts';

export const taintNodeNotReady = 'node.kubernetes.io/not-ready';
export const taintNodeUnreachable = 'node.kubernetes.io/unreachable';
export const taintNodeUnschedulable = 'node.kubernetes.io/unschedulable';

/**
 * The node's taints as the scheduler judges them. Upstream never looks at the Ready condition:
 * the node lifecycle controller taints a node that is not Ready (not-ready when False, unreachable
 * when Unknown) and TaintToleration rejects it. Where that taint is not there (yet), the
 * scheduler adds it here, so a not-Ready node ends up refused the same way, with the same
 * message, and a pod that tolerates the taint still goes there.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = node.spec?.taints ?? [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return taints;
  const key = ready?.status === 'False' || !ready ? taintNodeNotReady : taintNodeUnreachable;
  if (taints.some((t) => t.key === key && t.effect === 'NoSchedule')) return taints;
  return [...taints, { key, effect: 'NoSchedule' }];
}

export class NodeInfo {
  /** Undefined while pods are known on a node the cache has not seen (or no longer has). */
  node?: Node;
  labels: Readonly<Record<string, string>> = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Allocatable = { ...emptyResources(), pods: 0 };
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested: Resources = emptyResources();
  /** Non-terminating pods per spreading controller uid (default topology spreading). */
  readonly spreadCounts = new Map<string, number>();
  /** "TCP/8080" → host IP → pods using it. */
  private readonly ports = new Map<string, Map<string, number>>();
  /** Position in the cache's node list (round-robin filtering). */
  index = -1;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = effectiveTaints(node);
    this.unschedulable = !!node.spec?.unschedulable;
    this.allocatable = nodeAllocatable(node);
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.key, p);
    this.account(p, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.account(p, -1);
    return p;
  }

  /** Whether any of the ports is taken: the same port and protocol on the same IP, or on 0.0.0.0 either side. */
  portsConflict(wanted: readonly HostPort[]): boolean {
    for (const w of wanted) {
      const ips = this.ports.get(`${w.protocol}/${w.port}`);
      if (!ips) continue;
      if (w.ip === '0.0.0.0' || ips.has(w.ip) || ips.has('0.0.0.0')) return true;
    }
    return false;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, p.requests, sign);
    addResources(this.nonZeroRequested, p.nonZeroRequests, sign);
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      let ips = this.ports.get(k);
      if (!ips) this.ports.set(k, (ips = new Map()));
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n > 0) ips.set(hp.ip, n);
      else ips.delete(hp.ip);
      if (ips.size === 0) this.ports.delete(k);
    }
    if (p.spreadOwner && !p.terminating) {
      const n = (this.spreadCounts.get(p.spreadOwner) ?? 0) + sign;
      if (n > 0) this.spreadCounts.set(p.spreadOwner, n);
      else this.spreadCounts.delete(p.spreadOwner);
    }
  }
}
