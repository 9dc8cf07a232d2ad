// The taint eviction controller (upstream's pkg/controller/tainteviction): a pod on a node with a
// NoExecute taint it does not tolerate is deleted at once; one that tolerates it for
// tolerationSeconds (every pod gets 300 s for not-ready and unreachable from admission) is
// deleted when that runs out, unless the taint goes away first. Timers are the work queue's
// delayed keys on the context's clock. The clock starts when the taint was added (its
// timeAdded) or when the pod was created, if later — so a restarted controller keeps the
// deadline — and once a pod's eviction is scheduled, its start stays (upstream's CreatedAt).
//
// A deleted pod on a silent node stays Terminating: no kubelet is there to finish it. That is
// upstream's behaviour; its owner counts it as gone and makes a replacement elsewhere.
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../../client/api-error.ts';
import { objectKey } from '../../client/informer.ts';
import { gvr } from '../../client/resources.ts';
import { toleratesTaint } from '../../scheduler/corev1/taints.ts';
import type { ControllerContext } from '../context.ts';
import { QueueController, type ReconcileResult } from '../queue-controller.ts';
import { indexPodsByNode, podsOnNode } from './pods-by-node.ts';

const noExecuteTaints = (node: Node | undefined): Taint[] => (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

/**
 * How long the pod may stay: 0 (evict now) when a taint is not tolerated, Infinity when every
 * taint is tolerated forever, else the least tolerationSeconds of the tolerations used (the
 * first that tolerates each taint, as upstream's GetMatchingTolerations).
 */
export function tolerationMs(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): number {
  let min = Infinity;
  for (const taint of taints) {
    const used = (tolerations ?? []).find((t) => toleratesTaint(t, taint));
    if (!used) return 0;
    const s = used.tolerationSeconds;
    if (s !== undefined && s !== null) min = Math.min(min, Math.max(0, s) * 1000);
  }
  return min;
}

function time(text: string | undefined): number | undefined {
  const t = text ? Date.parse(text) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

export class TaintEvictionController extends QueueController {
  private readonly nodes;
  private readonly pods;
  private readonly recorder;
  /** Pods with an eviction scheduled: key → when their toleration started counting. */
  private readonly scheduled = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super('taint-eviction-controller', ctx, 4);
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.pods = indexPodsByNode(ctx.informers.informer<Pod>(gvr.pods));
    this.nodes
      .on('add', (n) => this.nodeChanged(undefined, n))
      .on('update', (o, n) => this.nodeChanged(o, n))
      .on('delete', (n) => this.nodeChanged(n, undefined));
    this.pods
      .on('add', (p) => this.podChanged(undefined, p))
      .on('update', (o, p) => this.podChanged(o, p))
      .on('delete', (p) => { if (this.scheduled.has(objectKey(p))) this.queue.add(objectKey(p)); });
  }

  private nodeChanged(old: Node | undefined, node: Node | undefined): void {
    const before = JSON.stringify(noExecuteTaints(old));
    const after = JSON.stringify(noExecuteTaints(node));
    if (before === after) return;
    const name = (node ?? old)!.metadata!.name!;
    for (const pod of podsOnNode(this.pods, name)) this.queue.add(objectKey(pod));
  }

  private podChanged(old: Pod | undefined, pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    if (old && old.spec?.nodeName === nodeName && JSON.stringify(old.spec?.tolerations) === JSON.stringify(pod.spec?.tolerations)) return;
    if (noExecuteTaints(this.nodes.get(nodeName)).length > 0 || this.scheduled.has(objectKey(pod))) this.queue.add(objectKey(pod));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const pod = this.pods.get(key);
    if (!pod) return this.cancel(key, true);
    if (pod.metadata?.deletionTimestamp) return this.cancel(key, false); // on its way out already
    const taints = noExecuteTaints(this.nodes.get(pod.spec?.nodeName ?? ''));
    if (taints.length === 0) return this.cancel(key, true);
    const allowed = tolerationMs(taints, pod.spec?.tolerations);
    if (allowed === Infinity) return this.cancel(key, true);
    const now = this.ctx.clock.now();
    const start = this.scheduled.get(key) ?? this.startOf(pod, taints, now);
    const due = start + allowed;
    if (due > now) {
      this.scheduled.set(key, start);
      return { requeueAfterMs: due - now };
    }
    this.scheduled.delete(key);
    await this.evict(pod);
  }

  /** The toleration counts from the oldest of the taints, or from the pod's creation if later. */
  private startOf(pod: Pod, taints: readonly Taint[], now: number): number {
    const added = taints.map((t) => time(t.timeAdded) ?? now);
    return Math.min(now, Math.max(Math.min(...added), time(pod.metadata?.creationTimestamp) ?? 0));
  }

  private cancel(key: string, withEvent: boolean): void {
    if (!this.scheduled.delete(key) || !withEvent) return;
    const [namespace, name] = key.split('/');
    this.recorder.event({ kind: 'Pod', apiVersion: 'v1', metadata: { namespace, name } }, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** Upstream's addConditionAndDeletePod: DisruptionTarget first, so the reason survives the pod. */
  private async evict(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata!;
    this.recorder.event({ kind: 'Pod', apiVersion: 'v1', metadata: { namespace, name } }, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    try {
      await this.ctx.client.patch(gvr.pods, namespace, name!, {
        metadata: { uid },
        status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: new Date(this.ctx.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') }] },
      }, 'strategic', { subresource: 'status' });
      await this.ctx.client.delete(gvr.pods, namespace, name!, { preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
