// The DaemonSet controller (upstream's pkg/controller/daemon): one pod on every eligible node.
// Pods are made with a required node affinity naming their node (the default scheduler binds
// them), tolerate node problems, and carry the controller-revision-hash of their template. A
// sync claims the pods and the ControllerRevisions (the current one is made or renumbered), then
// manages (create where missing, delete where not allowed or surplus), then — when nothing is
// outstanding — rolls the update forward one step, trims the history, and writes the status
// `kubectl rollout status ds/x` waits on.
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { isConflict } from '../client/api-error.ts';
import { objectKey } from '../client/informer.ts';
import { matchesSelector } from '../client/label-selector.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { controllerRefOf } from './controller-ref.ts';
import { ControllerExpectations } from './expectations.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';
import { claimObjects } from './ref-manager.ts';
import { daemonPodTemplate, targetNodeName, templateGeneration } from './daemonset/daemon-pod.ts';
import { nodeShouldRunDaemonPod, predicatePod, type NodeFit } from './daemonset/eligibility.ts';
import { DaemonSetHistory } from './daemonset/history.ts';
import { planManage } from './daemonset/manage.ts';
import { planRollingUpdate, rollingLimits } from './daemonset/rolling-update.ts';
import { computeStatus, statusEqual } from './daemonset/status.ts';
import { daemonSetKind, syncNodes } from './daemonset/sync-nodes.ts';

const ownedIndex = 'daemonset/controller-uid';
const orphansIndex = 'daemonset/orphans-by-namespace';
const failedBackoffMinMs = 1000;
const failedBackoffMaxMs = 15 * 60_000;

/** What a node offers to a DaemonSet's predicates: a change elsewhere (heartbeats) is ignored. */
const schedulingFacts = (n: Node | undefined): string => JSON.stringify([n?.metadata?.labels, n?.spec?.taints, n?.spec?.unschedulable]);

export class DaemonSetController extends QueueController {
  private readonly daemonSets;
  private readonly pods;
  private readonly nodes;
  private readonly history: DaemonSetHistory;
  private readonly recorder;
  private readonly expectations: ControllerExpectations;
  /** "ns/ds/node" → when a failed pod there may next be deleted, and the delay after that. */
  private readonly failedBackoff = new Map<string, { at: number; delayMs: number }>();

  constructor(ctx: ControllerContext) {
    super('daemonset-controller', ctx, 2);
    this.recorder = ctx.recorder('daemonset-controller');
    this.expectations = new ControllerExpectations(ctx.clock);
    this.daemonSets = ctx.informers.informer<DaemonSet>(gvr.daemonSets);
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.pods = ctx.informers.informer<Pod>(gvr.pods)
      .addIndex(ownedIndex, (p) => {
        const ref = controllerRefOf(p);
        return ref?.kind === 'DaemonSet' ? [ref.uid] : [];
      })
      .addIndex(orphansIndex, (p) => (controllerRefOf(p) ? [] : [p.metadata?.namespace ?? '']));
    this.history = new DaemonSetHistory(ctx.client, ctx.informers.informer<ControllerRevision>(gvr.controllerRevisions));
    this.history.informer
      .on('add', (r) => this.revisionAdded(r))
      .on('update', (o, r) => this.revisionUpdated(o, r))
      .on('delete', (r) => this.enqueueOwner(r));

    this.daemonSets
      .on('add', this.enqueue)
      .on('update', (_o, ds) => this.enqueue(ds))
      .on('delete', (ds) => {
        this.expectations.delete(objectKey(ds));
        this.enqueue(ds);
      });
    this.pods
      .on('add', (p) => this.podAdded(p))
      .on('update', (o, p) => this.podUpdated(o, p))
      .on('delete', (p) => this.podDeleted(p));
    this.nodes
      .on('add', (n) => this.nodeChanged(undefined, n))
      .on('update', (o, n) => this.nodeChanged(o, n))
      .on('delete', () => { for (const ds of this.daemonSets.list()) this.enqueue(ds); });
  }

  // ---- event handlers: map pods and nodes to the DaemonSets they matter to ----

  private ownerKey(obj: Pod | ControllerRevision): string | undefined {
    const ref = controllerRefOf(obj);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const key = `${obj.metadata?.namespace}/${ref.name}`;
    return this.daemonSets.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  }

  private enqueueOwner(obj: Pod | ControllerRevision): void {
    const key = this.ownerKey(obj);
    if (key) this.queue.add(key);
  }

  /** An orphan may be adopted by any DaemonSet of its namespace whose selector it matches. */
  private enqueueAdopters(obj: Pod | ControllerRevision): void {
    if (obj.metadata?.deletionTimestamp) return;
    for (const ds of this.daemonSets.list()) {
      if (ds.metadata?.namespace === obj.metadata?.namespace && matchesSelector(ds.spec?.selector, obj.metadata?.labels)) this.enqueue(ds);
    }
  }

  /** Our own new revisions need no sync (upstream's addHistory); an orphan may be adopted. */
  private revisionAdded(rev: ControllerRevision): void {
    if (!controllerRefOf(rev)) this.enqueueAdopters(rev);
  }

  private revisionUpdated(old: ControllerRevision, rev: ControllerRevision): void {
    const oldKey = this.ownerKey(old);
    const key = this.ownerKey(rev);
    if (oldKey && oldKey !== key) this.queue.add(oldKey);
    if (key) this.queue.add(key);
    else if (!controllerRefOf(rev) && (oldKey || JSON.stringify(old.metadata?.labels) !== JSON.stringify(rev.metadata?.labels))) this.enqueueAdopters(rev);
  }

  private podAdded(pod: Pod): void {
    const key = this.ownerKey(pod);
    if (key) {
      this.expectations.creationObserved(key);
      this.queue.add(key);
    } else if (!controllerRefOf(pod)) this.enqueueAdopters(pod);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    const oldKey = this.ownerKey(old);
    const key = this.ownerKey(pod);
    if (oldKey && oldKey !== key) this.queue.add(oldKey);
    if (key) this.queue.add(key);
    else if (!controllerRefOf(pod) && (oldKey || JSON.stringify(old.metadata?.labels) !== JSON.stringify(pod.metadata?.labels))) this.enqueueAdopters(pod);
  }

  private podDeleted(pod: Pod): void {
    const key = this.ownerKey(pod);
    if (!key) return;
    this.expectations.deletionObserved(key);
    this.queue.add(key);
  }

  private nodeChanged(old: Node | undefined, node: Node): void {
    const all = this.daemonSets.list();
    if (all.length === 0 || (old && schedulingFacts(old) === schedulingFacts(node))) return;
    for (const ds of all) {
      const pod = predicatePod(ds);
      const now = nodeShouldRunDaemonPod(node, pod);
      const before = old ? nodeShouldRunDaemonPod(old, pod) : undefined;
      if (!before ? now.shouldRun : before.shouldRun !== now.shouldRun || before.shouldContinueRunning !== now.shouldContinueRunning) this.enqueue(ds);
    }
  }

  // ---- the sync ----

  async reconcile(key: string): Promise<ReconcileResult> {
    const ds = this.daemonSets.get(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const sel = ds.spec?.selector;
    if (Object.keys(sel?.matchLabels ?? {}).length === 0 && !sel?.matchExpressions?.length) {
      this.recorder.event({ ...daemonSetKind, metadata: ds.metadata }, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    const { hash, old, pods } = await this.history.construct(ds, await this.claimPods(ds));
    const nodes = this.nodes.list();
    const fits = new Map<string, NodeFit>();
    const predicate = predicatePod(ds);
    const fit = (node: Node): NodeFit => {
      const name = node.metadata!.name!;
      let f = fits.get(name);
      if (!f) fits.set(name, (f = nodeShouldRunDaemonPod(node, predicate)));
      return f;
    };
    const now = this.ctx.clock.now();
    const generation = templateGeneration(ds);
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    const nodeToPods = groupByNode(pods);
    let requeueAfterMs: number | undefined;

    const satisfied = this.expectations.satisfied(key);
    if (satisfied) {
      const template = daemonPodTemplate(ds, hash);
      const surge = ds.spec?.updateStrategy?.type !== 'OnDelete' && rollingLimits(ds, 1).maxSurge > 0;
      const manage = planManage({
        nodes, fit, nodeToPods, hash, surge, minReadySeconds, now,
        mayDeleteFailed: (nodeName) => {
          const wait = this.failedPodBackoff(`${key}/${nodeName}`, now);
          if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, wait);
          return wait === 0;
        },
      });
      for (const pod of manage.failedPods) {
        this.recorder.event({ ...daemonSetKind, metadata: ds.metadata }, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata?.namespace}/${pod.metadata?.name} on node ${targetNodeName(pod)}, will try to kill it`);
      }
      const sync = { client: this.ctx.client, recorder: this.recorder, expectations: this.expectations, ds, key, template };
      await syncNodes({ ...sync, createOn: manage.createOn, deletePods: manage.deletePods });
      const managed = manage.createOn.length + manage.deletePods.length > 0;
      if (!managed && ds.spec?.updateStrategy?.type !== 'OnDelete') {
        const desired = nodes.filter((n) => fit(n).shouldRun).length;
        const rolling = planRollingUpdate({ nodes, fit, nodeToPods, hash, generation, limits: rollingLimits(ds, desired), minReadySeconds, now });
        await syncNodes({ ...sync, createOn: rolling.createOn, deletePods: rolling.deletePods });
      }
      await this.history.cleanup(ds, old, pods);
    }

    const status = computeStatus({ ds, nodes, fit, nodeToPods, hash, generation, now, updateObservedGen: satisfied });
    if (!statusEqual(ds.status, status)) await this.writeStatus(ds, status);
    // Pods become available minReadySeconds after they are ready, with no event to say so.
    if (minReadySeconds > 0 && status.numberReady !== status.numberAvailable) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, minReadySeconds * 1000);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  /** The DaemonSet's pods after adoption and release: its own and its namespace's orphans. */
  private async claimPods(ds: DaemonSet): Promise<Pod[]> {
    const owned = this.pods.byIndex(ownedIndex, ds.metadata!.uid!);
    const orphans = this.pods.byIndex(orphansIndex, ds.metadata!.namespace!);
    return claimObjects<Pod>({
      client: this.ctx.client, resource: gvr.pods, owner: ds, ownerKind: daemonSetKind, ownerResource: gvr.daemonSets,
      selector: ds.spec?.selector, candidates: [...owned, ...orphans],
    });
  }

  /** 0 when a failed pod on this node may be deleted now (and starts the next wait), else ms to wait. */
  private failedPodBackoff(key: string, now: number): number {
    const b = this.failedBackoff.get(key);
    if (b && now < b.at) return b.at - now;
    const delayMs = b ? Math.min(failedBackoffMaxMs, b.delayMs * 2) : failedBackoffMinMs;
    this.failedBackoff.set(key, { at: now + delayMs, delayMs });
    return 0;
  }

  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    try {
      await this.ctx.client.updateStatus<DaemonSet>(gvr.daemonSets, { ...ds, status });
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Our cached copy is behind (often our own last write): write onto the fresh one.
      const fresh = await this.ctx.client.get<DaemonSet>(gvr.daemonSets, ds.metadata!.namespace, ds.metadata!.name!);
      if (fresh.metadata?.uid !== ds.metadata?.uid || statusEqual(fresh.status, status)) return;
      await this.ctx.client.updateStatus<DaemonSet>(gvr.daemonSets, { ...fresh, status });
    }
  }
}

/**
 * The pods by the node they run on or are meant for. A finished pod that is being deleted no
 * longer counts: there is nothing left to do with it (upstream's includeDeletedTerminal false).
 */
function groupByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (pod.metadata?.deletionTimestamp && (phase === 'Succeeded' || phase === 'Failed')) continue;
    const node = targetNodeName(pod);
    if (!node) continue;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(pod);
  }
  return out;
}
