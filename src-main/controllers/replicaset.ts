// The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas pods made from the
// template. It claims the pods its selector matches (adopting orphans, releasing pods relabelled
// out of it), creates missing pods in slow-start batches, deletes the least valuable surplus pods
// first, and reports replicas / ready / available in status. Expectations stop a second sync from
// acting before the informer has seen the pods the first one created or deleted.
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { ApiError, isConflict, isNotFound } from '../client/api-error.ts';
import { involved, type EventRecorder } from '../client/event-recorder.ts';
import { objectKey, type Informer } from '../client/informer.ts';
import { matchesSelector } from '../client/label-selector.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { controllerRefOf, newControllerRef } from './controller-ref.ts';
import { isPodActive } from './pod-state.ts';
import { podFromTemplate } from './pod-template.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';
import { claimObjects } from './ref-manager.ts';
import { addNamespaceIndex, addOwnerIndices, claimCandidates, ownerIndex } from './replicaset/indices.ts';
import { PodExpectations } from './replicaset/pod-expectations.ts';
import { podsToDelete } from './replicaset/pod-order.ts';
import { slowStartBatch } from './replicaset/slow-start.ts';
import { calculateStatus, nextAvailableInMs, statusUpToDate } from './replicaset/status.ts';

const replicaSetKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

/** At most this many creates or deletes per sync (kube-controller-manager's BurstReplicas). */
const burstReplicas = 500;

function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && !!err.body.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}

export class ReplicaSetController extends QueueController {
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly expectations: PodExpectations;
  private readonly recorder: EventRecorder;

  constructor(ctx: ControllerContext) {
    super('replicaset-controller', ctx, 10);
    this.expectations = new PodExpectations(ctx.clock);
    this.recorder = ctx.recorder('replicaset-controller');
    this.replicaSets = ctx.informers.informer<ReplicaSet>(gvr.replicaSets);
    addOwnerIndices(this.replicaSets);
    addNamespaceIndex(this.replicaSets);
    this.pods = ctx.informers.informer<Pod>(gvr.pods);
    addOwnerIndices(this.pods);
    this.replicaSets
      .on('add', this.enqueue)
      .on('update', (_old, rs) => this.enqueue(rs))
      .on('delete', (rs) => {
        this.expectations.delete(objectKey(rs));
        this.enqueue(rs);
      });
    this.pods
      .on('add', (pod) => this.podAdded(pod))
      .on('update', (old, pod) => this.podUpdated(old, pod))
      .on('delete', (pod) => this.podDeleted(pod));
  }

  /** The ReplicaSet a pod's controllerRef points to, if it is one we know (same uid). */
  private ownerOf(pod: Pod): ReplicaSet | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const rs = this.replicaSets.get(`${pod.metadata?.namespace}/${ref.name}`);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod: they may want to adopt it. */
  private enqueueMatching(pod: Pod): void {
    for (const rs of this.replicaSets.byIndex(ownerIndex.namespace, pod.metadata?.namespace ?? '')) {
      if (matchesSelector(rs.spec?.selector, pod.metadata?.labels)) this.enqueue(rs);
    }
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // Seen for the first time already being deleted (after a relist): a deletion.
      this.podDeleted(pod);
      return;
    }
    const rs = this.ownerOf(pod);
    if (rs) {
      this.expectations.creationObserved(objectKey(rs));
      this.enqueue(rs);
    } else if (!controllerRefOf(pod)) {
      this.enqueueMatching(pod);
    }
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return; // a resync: the ReplicaSets resync too
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
    if (pod.metadata?.deletionTimestamp) {
      // A graceful delete starts: for the owner, the pod is gone now.
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) {
      const previous = this.ownerOf(old);
      if (previous) this.enqueue(previous);
    }
    if (ref) {
      const rs = this.ownerOf(pod);
      if (rs) this.enqueue(rs);
      return;
    }
    if (labelsChanged || refChanged) this.enqueueMatching(pod);
  }

  private podDeleted(pod: Pod): void {
    const rs = this.ownerOf(pod);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.enqueue(rs);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const rs = this.replicaSets.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const pods = await this.claimPods(rs);
    let manageError: Error | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = err as Error;
      }
    }
    const now = this.ctx.clock.now();
    await this.writeStatus(rs, calculateStatus(rs, pods, manageError, now));
    if (manageError) throw manageError;
    const wait = nextAvailableInMs(rs, pods, now);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }

  /** The active pods the ReplicaSet controls, after adopting matching orphans and releasing the rest. */
  private async claimPods(rs: ReplicaSet): Promise<Pod[]> {
    const candidates = claimCandidates(this.pods, rs).filter(isPodActive);
    const claimed = await claimObjects<Pod>({
      client: this.ctx.client,
      resource: gvr.pods,
      owner: rs,
      ownerKind: replicaSetKind,
      ownerResource: gvr.replicaSets,
      selector: rs.spec?.selector,
      candidates,
    });
    return claimed.filter(isPodActive);
  }

  private async manageReplicas(key: string, rs: ReplicaSet, pods: Pod[]): Promise<void> {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) await this.createPods(key, rs, Math.min(-diff, burstReplicas));
    else if (diff > 0) await this.deletePods(key, rs, pods, Math.min(diff, burstReplicas));
  }

  private async createPods(key: string, rs: ReplicaSet, count: number): Promise<void> {
    this.expectations.expectCreations(key, count);
    const ns = rs.metadata!.namespace!;
    const ref = newControllerRef(rs, replicaSetKind);
    const { successes, error } = await slowStartBatch(count, 1, async () => {
      const pod = podFromTemplate(rs.spec!.template!, ns, rs.metadata!.name!, ref);
      try {
        const created = await this.ctx.client.create<Pod>(gvr.pods, pod);
        this.recorder.event(this.involved(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (err) {
        // A namespace being deleted refuses every create: nothing to report, nothing to retry.
        if (isNamespaceTerminating(err)) return;
        this.recorder.event(this.involved(rs), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    // The creates that failed or were never tried will not be observed.
    if (successes < count) this.expectations.lowerCreations(key, count - successes);
    if (error) throw error;
  }

  private async deletePods(key: string, rs: ReplicaSet, pods: Pod[], count: number): Promise<void> {
    const victims = podsToDelete(pods, this.relatedPods(rs), count, this.ctx.clock.now());
    this.expectations.expectDeletions(key, victims.map(objectKey));
    const errors: Error[] = [];
    await Promise.all(victims.map(async (pod) => {
      try {
        await this.ctx.client.delete(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, { preconditions: { uid: pod.metadata?.uid } });
        this.recorder.event(this.involved(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      } catch (err) {
        // This deletion will never be observed.
        this.expectations.deletionObserved(key, objectKey(pod));
        if (isNotFound(err) || isConflict(err)) return;
        this.recorder.event(this.involved(rs), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        errors.push(err as Error);
      }
    }));
    if (errors.length > 0) throw errors[0];
  }

  /**
   * The pods of every ReplicaSet with the same owner as rs (the other revisions of its
   * Deployment), for the "doubled up on a node" rank (upstream's getIndirectlyRelatedPods).
   */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRefOf(rs);
    const siblings = owner ? this.replicaSets.byIndex(ownerIndex.controllerUid, owner.uid) : [rs];
    return siblings.flatMap((s) => (s.metadata?.uid ? this.pods.byIndex(ownerIndex.controllerUid, s.metadata.uid) : []));
  }

  private async writeStatus(rs: ReplicaSet, status: ReturnType<typeof calculateStatus>): Promise<void> {
    if (statusUpToDate(rs, status)) return;
    const next: ReplicaSet = { ...rs, status: { ...status, observedGeneration: rs.metadata?.generation ?? 0 } };
    try {
      await this.ctx.client.updateStatus<ReplicaSet>(gvr.replicaSets, next);
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // The cache was behind: write onto the current object, as upstream's retry does.
      const fresh = await this.ctx.client.get<ReplicaSet>(gvr.replicaSets, rs.metadata?.namespace, rs.metadata!.name!);
      if (fresh.metadata?.uid !== rs.metadata?.uid) return;
      await this.ctx.client.updateStatus<ReplicaSet>(gvr.replicaSets, { ...fresh, status: next.status });
    }
  }

  private involved(rs: ReplicaSet) {
    return involved(rs, 'ReplicaSet', gvr.replicaSets);
  }
}
