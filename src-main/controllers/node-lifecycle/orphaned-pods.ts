// Pods bound to a node that no longer exists are garbage (upstream's pod GC, gcOrphaned): no
// kubelet will ever run or finish them. They are marked Failed with a DisruptionTarget condition
// and deleted at once (grace 0). A node deleted is acted on at once; a pod naming a node this
// cache has never seen waits a quarantine first (the node may be registering), and the node's
// absence is confirmed with the API server before anything is deleted.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../../client/api-error.ts';
import { gvr } from '../../client/resources.ts';
import type { ControllerContext } from '../context.ts';
import { QueueController, type ReconcileResult } from '../queue-controller.ts';
import { rfc3339 } from './health.ts';
import { indexPodsByNode, podsOnNode } from './pods-by-node.ts';

/** Upstream's quarantineTime: how long an unknown node name is given to appear. */
export const orphanQuarantineMs = 40_000;

export class OrphanedPodsController extends QueueController {
  private readonly nodes;
  private readonly pods;

  constructor(ctx: ControllerContext) {
    super('pod-garbage-collector', ctx, 1);
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.pods = indexPodsByNode(ctx.informers.informer<Pod>(gvr.pods));
    this.nodes.on('delete', (n) => this.queue.add(n.metadata!.name!));
    const check = (p: Pod): void => {
      const nodeName = p.spec?.nodeName;
      if (nodeName && this.nodes.hasSynced() && !this.nodes.get(nodeName)) this.queue.addAfter(nodeName, orphanQuarantineMs);
    };
    this.pods.on('add', check).on('update', (_o, p) => check(p));
  }

  /** Pods already orphaned when the controller starts get the same quarantine. */
  override start(): void {
    super.start();
    const unknown = new Set<string>();
    for (const p of this.pods.list()) {
      const nodeName = p.spec?.nodeName;
      if (nodeName && !this.nodes.get(nodeName)) unknown.add(nodeName);
    }
    for (const name of unknown) this.queue.addAfter(name, orphanQuarantineMs);
  }

  async reconcile(nodeName: string): Promise<ReconcileResult> {
    if (this.nodes.get(nodeName)) return;
    const pods = podsOnNode(this.pods, nodeName);
    if (pods.length === 0) return;
    try {
      await this.ctx.client.get(gvr.nodes, undefined, nodeName);
      return; // it exists; the cache is behind
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    for (const pod of pods) await this.deleteOrphan(pod);
  }

  private async deleteOrphan(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata!;
    try {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        await this.ctx.client.patch(gvr.pods, namespace, name!, {
          metadata: { uid },
          status: {
            phase: 'Failed',
            conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: rfc3339(this.ctx.clock.now()) }],
          },
        }, 'strategic', { subresource: 'status' });
      }
      await this.ctx.client.delete(gvr.pods, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
