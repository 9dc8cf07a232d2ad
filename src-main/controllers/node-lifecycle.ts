// The node lifecycle controller (upstream's pkg/controller/nodelifecycle). Every
// nodeMonitorPeriod it looks at each node's newest sign of life — its Lease in kube-node-lease or
// its Ready heartbeat — and a node silent past nodeMonitorGracePeriod has its kubelet conditions
// set to Unknown ("Kubelet stopped posting node status."), a NodeNotReady event, and its pods'
// Ready condition set False so that endpoints drop them. Its work queue keeps each node's
// condition taints in step (unreachable / not-ready, NoSchedule and NoExecute); evicting the pods
// that do not tolerate them is the taint eviction controller's job.
//
// Not done (upstream has them): the per-zone eviction rate limit (--node-eviction-rate) and
// partial-disruption mode. What is kept is the safety rule of full disruption: when every node
// is down, no NoExecute taints are set (the control plane's own network is the likely fault).
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../client/api-error.ts';
import { involved } from '../client/event-recorder.ts';
import { gvr } from '../client/resources.ts';
import { every } from '../util/clock.ts';
import type { ControllerContext } from './context.ts';
import { lastSignOfLife, nodeStartupGracePeriodMs, rfc3339, unknownConditions } from './node-lifecycle/health.ts';
import { indexPodsByNode, podsOnNode } from './node-lifecycle/pods-by-node.ts';
import { readyStatus, reconcileTaints } from './node-lifecycle/taints.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

/** How many nodes one monitor pass checks at once. */
const concurrentNodes = 16;

interface Seen {
  uid: string;
  /** When this controller first saw the node: a node gets a full grace period from then. */
  at: number;
}

export class NodeLifecycleController extends QueueController {
  private readonly nodes;
  private readonly leases;
  private readonly pods;
  private readonly recorder;
  private readonly seen = new Map<string, Seen>();
  /** Nodes whose pods still have to be marked not ready (a write failed). */
  private readonly markPodsPending = new Set<string>();
  private stopMonitor?: () => void;
  private monitoring = false;

  constructor(ctx: ControllerContext) {
    super('node-lifecycle-controller', ctx, 2);
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.leases = ctx.informers.informer<Lease>(gvr.leases);
    this.pods = indexPodsByNode(ctx.informers.informer<Pod>(gvr.pods));
    this.nodes.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n));
  }

  override start(): void {
    super.start();
    this.stopMonitor = every(this.ctx.clock, this.ctx.config.nodeMonitorPeriodMs, () => void this.monitorPass());
  }

  override stop(): void {
    this.stopMonitor?.();
    super.stop();
  }

  /** Brings the node's condition taints in step (the NoSchedule and NoExecute tainting passes). */
  async reconcile(name: string): Promise<ReconcileResult> {
    const node = this.nodes.get(name);
    if (!node) return;
    // Full disruption only matters for a node that is down (and costs a look at every node).
    const noExecute = readyStatus(node) === 'True' || !this.fullDisruption();
    const taints = reconcileTaints(node, this.ctx.clock.now(), noExecute);
    if (!taints) return;
    // The resourceVersion makes it a compare-and-swap: taints others add meanwhile are not lost.
    await this.ctx.client.patch(gvr.nodes, undefined, name, {
      metadata: { resourceVersion: node.metadata?.resourceVersion },
      spec: { taints: taints.length ? taints : null },
    }, 'merge');
  }

  /** Every node down at once (and at least one node): upstream's master disruption mode. */
  private fullDisruption(): boolean {
    const all = this.nodes.list();
    return all.length > 0 && all.every((n) => readyStatus(n) !== 'True');
  }

  private async monitorPass(): Promise<void> {
    if (this.monitoring) return; // the previous pass is still writing
    this.monitoring = true;
    try {
      await this.monitorNodeHealth();
    } catch (err) {
      this.ctx.log(`${this.name}: monitoring node health: ${(err as Error).message}`);
    } finally {
      this.monitoring = false;
    }
  }

  private async monitorNodeHealth(): Promise<void> {
    const now = this.ctx.clock.now();
    const nodes = this.nodes.list();
    this.classifyNodes(nodes, now);
    for (let i = 0; i < nodes.length; i += concurrentNodes) {
      await Promise.all(nodes.slice(i, i + concurrentNodes).map((n) => this.checkNodeHealth(n, now)));
    }
    // Level-triggered taints: whatever a missed event left out of step is queued again.
    const noExecute = !this.fullDisruption();
    for (const node of this.nodes.list()) {
      if (reconcileTaints(node, now, noExecute)) this.enqueue(node);
    }
  }

  /** Records RegisteredNode / RemovingNode as upstream does for nodes it starts or stops watching. */
  private classifyNodes(nodes: readonly Node[], now: number): void {
    const names = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata!.name!;
      names.add(name);
      const known = this.seen.get(name);
      if (known && known.uid === node.metadata?.uid) continue;
      this.seen.set(name, { uid: node.metadata?.uid ?? '', at: now });
      this.recorder.event(involved(node, 'Node', gvr.nodes), 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    }
    for (const [name, s] of this.seen) {
      if (names.has(name)) continue;
      this.seen.delete(name);
      this.markPodsPending.delete(name);
      this.recorder.event({ kind: 'Node', apiVersion: 'v1', metadata: { name, uid: s.uid } }, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }
  }

  private async checkNodeHealth(node: Node, now: number): Promise<void> {
    const name = node.metadata!.name!;
    const observedReady = readyStatus(node);
    const grace = observedReady === undefined ? nodeStartupGracePeriodMs : this.ctx.config.nodeMonitorGracePeriodMs;
    const lease = this.leases.get(`kube-node-lease/${name}`);
    const probe = Math.max(lastSignOfLife(node, lease), this.seen.get(name)?.at ?? now);
    let current = node;
    if (now > probe + grace) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        const written = await this.writeConditions(node, conditions);
        if (!written) return; // changed meanwhile: the next pass looks again
        current = written;
      }
    }
    const currentReady = readyStatus(current);
    if (currentReady === 'True') {
      this.markPodsPending.delete(name);
      return;
    }
    if (observedReady === 'True') {
      this.recorder.event(involved(current, 'Node', gvr.nodes), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      this.markPodsPending.add(name);
    }
    if (this.markPodsPending.has(name)) {
      try {
        await this.markPodsNotReady(name, now);
        this.markPodsPending.delete(name);
      } catch (err) {
        this.ctx.log(`${this.name}: marking pods of node ${name} not ready: ${(err as Error).message}`);
      }
    }
  }

  /** Writes the conditions through the status subresource; undefined when the node changed. */
  private async writeConditions(node: Node, conditions: NodeCondition[]): Promise<Node | undefined> {
    try {
      return await this.ctx.client.updateStatus<Node>(gvr.nodes, { ...node, status: { ...node.status, conditions } });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Upstream's MarkPodsNotReady: Ready=False on every pod of the node, so endpoints drop them. */
  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    const pods = podsOnNode(this.pods, nodeName).filter((p) => {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      return ready && ready.status !== 'False';
    });
    const failures: Error[] = [];
    for (let i = 0; i < pods.length; i += 32) {
      await Promise.all(pods.slice(i, i + 32).map(async (pod) => {
        try {
          await this.ctx.client.patch(gvr.pods, pod.metadata?.namespace, pod.metadata!.name!, {
            metadata: { uid: pod.metadata?.uid },
            status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(now) }] },
          }, 'strategic', { subresource: 'status' });
          this.recorder.event(involved(pod, 'Pod', gvr.pods), 'Warning', 'NodeNotReady', 'Node is not ready');
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) failures.push(err as Error);
        }
      }));
    }
    if (failures.length) throw failures[0];
  }
}
