// The Deployment controller (pkg/controller/deployment): a Deployment owns one ReplicaSet per pod
// template (named by its pod-template-hash) and moves replicas from the old ones to the new one
// by its strategy — RollingUpdate within maxSurge/maxUnavailable, or Recreate — keeping revision
// history, honouring pause, scaling proportionally mid-rollout, and reporting progress in status
// so that `kubectl rollout status` reads as upstream. This file wires informers to the queue and
// picks the kind of sync; the steps live in deployment/ (sync, rolling, recreate, rollback,
// progress, history, util), as upstream splits them.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Informer } from '../client/informer.ts';
import { matchesSelector } from '../client/label-selector.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { controllerRefOf } from './controller-ref.ts';
import { SyncContext, type DeploymentDeps } from './deployment/context.ts';
import { deploymentKind } from './deployment/new-replicaset.ts';
import { rolloutRecreate } from './deployment/recreate.ts';
import { rollback, rollbackTo } from './deployment/rollback.ts';
import { rolloutRolling } from './deployment/rolling.ts';
import { checkPausedConditions, isScalingEvent, sync, syncStatusOnly } from './deployment/sync.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';
import { claimObjects } from './ref-manager.ts';
import { addNamespaceIndex, addOwnerIndices, claimCandidates, ownerIndex } from './replicaset/indices.ts';

function selectsEverything(selector: LabelSelector | undefined): boolean {
  return !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

export class DeploymentController extends QueueController {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly deps: DeploymentDeps;

  constructor(ctx: ControllerContext) {
    super('deployment-controller', ctx, 5);
    this.deployments = ctx.informers.informer<Deployment>(gvr.deployments);
    addNamespaceIndex(this.deployments);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(gvr.replicaSets);
    addOwnerIndices(this.replicaSets);
    this.pods = ctx.informers.informer<Pod>(gvr.pods);
    addOwnerIndices(this.pods);
    this.deps = {
      client: ctx.client,
      recorder: ctx.recorder('deployment-controller'),
      clock: ctx.clock,
      replicaSets: this.replicaSets,
      requeueAfter: (key, ms) => this.queue.addAfter(key, ms),
    };
    this.deployments.on('add', this.enqueue).on('update', (_o, d) => this.enqueue(d)).on('delete', this.enqueue);
    this.replicaSets
      .on('add', (rs) => this.replicaSetAdded(rs))
      .on('update', (old, rs) => this.replicaSetUpdated(old, rs))
      .on('delete', (rs) => this.enqueueOwner(rs));
    // Recreate waits for the old pods to be gone: their deletion is what lets it go on.
    this.pods.on('delete', (pod) => this.podDeleted(pod));
  }

  /** The Deployment a ReplicaSet's controllerRef points to, if known (same uid). */
  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== 'Deployment' || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const d = this.deployments.get(`${rs.metadata?.namespace}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(rs: ReplicaSet): void {
    const d = this.ownerOf(rs);
    if (d) this.enqueue(d);
  }

  /** Deployments whose selector matches an orphan ReplicaSet: they may adopt it. */
  private enqueueMatching(rs: ReplicaSet): void {
    for (const d of this.deployments.byIndex(ownerIndex.namespace, rs.metadata?.namespace ?? '')) {
      if (matchesSelector(d.spec?.selector, rs.metadata?.labels)) this.enqueue(d);
    }
  }

  private replicaSetAdded(rs: ReplicaSet): void {
    if (controllerRefOf(rs)) this.enqueueOwner(rs);
    else if (!rs.metadata?.deletionTimestamp) this.enqueueMatching(rs);
  }

  private replicaSetUpdated(old: ReplicaSet, rs: ReplicaSet): void {
    if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return; // resync: Deployments resync themselves
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(rs);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) this.enqueueOwner(old);
    if (ref) {
      this.enqueueOwner(rs);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(rs.metadata?.labels ?? {});
    if (labelsChanged || refChanged) this.enqueueMatching(rs);
  }

  private podDeleted(pod: Pod): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(`${pod.metadata?.namespace}/${ref.name}`);
    const d = rs && this.ownerOf(rs);
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const c = new SyncContext(this.deps, cached);
    if (selectsEverything(c.d.spec?.selector)) {
      c.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((c.d.status?.observedGeneration ?? 0) < (c.d.metadata?.generation ?? 0)) {
        await c.writeStatus({ ...c.d.status, observedGeneration: c.d.metadata?.generation });
      }
      return;
    }
    const rsList = await this.claimReplicaSets(c.d);
    if (c.d.metadata?.deletionTimestamp) return syncStatusOnly(c, rsList);
    await checkPausedConditions(c);
    if (c.d.spec?.paused) return sync(c, rsList);
    if (rollbackTo(c.d) !== undefined) return rollback(c, rsList);
    if (await isScalingEvent(c, rsList)) return sync(c, rsList);
    if (c.d.spec?.strategy?.type === 'Recreate') {
      return rolloutRecreate(c, rsList, (rs) => (rs.metadata?.uid ? this.pods.byIndex(ownerIndex.controllerUid, rs.metadata.uid) : []));
    }
    return rolloutRolling(c, rsList);
  }

  /** The ReplicaSets the Deployment controls, after adopting matching orphans and releasing the rest. */
  private claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    return claimObjects<ReplicaSet>({
      client: this.ctx.client,
      resource: gvr.replicaSets,
      owner: d,
      ownerKind: deploymentKind,
      ownerResource: gvr.deployments,
      selector: d.spec?.selector,
      candidates: claimCandidates(this.replicaSets, d),
    });
  }
}
