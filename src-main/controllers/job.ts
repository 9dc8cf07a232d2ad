// The Job controller (pkg/controller/job): runs a Job's pods to completion — completions and
// parallelism, NonIndexed and Indexed, the backoff limit with exponential delays between
// failures, activeDeadlineSeconds, suspend — and counts finished pods through the
// batch.kubernetes.io/job-tracking finalizer, so that counts survive pod deletion. This file is
// the wiring: informer handlers, expectations, which pods a Job controls, and orphaned pods
// whose finalizer must go; job/ holds the sync itself.
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { isNotFound } from '../client/api-error.ts';
import { objectKey, type Informer } from '../client/informer.ts';
import { matchesSelector } from '../client/label-selector.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { controllerRefOf } from './controller-ref.ts';
import { ControllerExpectations } from './expectations.ts';
import { BackoffStore } from './job/backoff.ts';
import { isJobFinished } from './job/conditions.ts';
import { FinalizerExpectations } from './job/finalizer-expectations.ts';
import { hasTrackingFinalizer, jobTrackingFinalizer, removeTrackingFinalizerPatch } from './job/pods.ts';
import type { JobDeps } from './job/sync-context.ts';
import { isManagedElsewhere, syncJob } from './job/sync.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';
import { claimObjects } from './ref-manager.ts';

const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
/** Pods by the uid of the Job that controls them or whose generated selector picks them. */
const podsByJobIndex = 'job-controller/job-uid';
/** Orphan pods share the queue with Jobs under this prefix (no namespace or name has a colon). */
const orphanPrefix = 'orphan-pod:';
const jobKind = { apiVersion: 'batch/v1', kind: 'Job' };

function jobRef(pod: Pod): OwnerReference | undefined {
  const ref = controllerRefOf(pod);
  return ref?.kind === 'Job' ? ref : undefined;
}

export class JobController extends QueueController {
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly deps: JobDeps;

  constructor(ctx: ControllerContext) {
    super('job-controller', ctx, 4);
    this.jobs = ctx.informers.informer<Job>(gvr.jobs);
    this.pods = ctx.informers.informer<Pod>(gvr.pods);
    this.pods.addIndex(podsByJobIndex, (pod) => {
      const values = new Set<string>();
      const ref = jobRef(pod);
      if (ref) values.add(ref.uid);
      const label = pod.metadata?.labels?.[controllerUidLabel];
      if (label) values.add(label);
      return [...values];
    });
    this.deps = {
      client: ctx.client,
      clock: ctx.clock,
      recorder: ctx.recorder('job-controller'),
      expectations: new ControllerExpectations(ctx.clock),
      finalizers: new FinalizerExpectations(),
      backoff: new BackoffStore(),
    };
    this.jobs
      .on('add', this.enqueue)
      .on('update', (_old, job) => {
        this.enqueue(job);
        // Backup: a finished Job keeps no finalizers on its pods.
        if (isJobFinished(job)) this.cleanupPodFinalizers(job);
      })
      .on('delete', (job) => {
        this.enqueue(job);
        this.cleanupPodFinalizers(job);
      });
    this.pods
      .on('add', (pod) => this.addPod(pod))
      .on('update', (old, cur) => this.updatePod(old, cur))
      .on('delete', (pod) => this.deletePod(pod, true));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(orphanPrefix)) return this.syncOrphanPod(key.slice(orphanPrefix.length));
    const job = this.jobs.get(key);
    if (!job) {
      this.deps.expectations.delete(key);
      this.deps.finalizers.delete(key);
      this.deps.backoff.remove(key);
      return;
    }
    // Expectations before pods: a pod created after this check is simply seen next time.
    const satisfied = this.deps.expectations.satisfied(key);
    const pods = await this.podsForJob(job);
    return syncJob(this.deps, key, job, pods, satisfied);
  }

  /** The Job of a controller reference, if it is still that Job (same uid). */
  private resolve(namespace: string | undefined, ref: OwnerReference): Job | undefined {
    if (ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(`${namespace}/${ref.name}`);
    return job?.metadata?.uid === ref.uid ? job : undefined;
  }

  private enqueueOrphan(pod: Pod): void {
    this.queue.add(orphanPrefix + objectKey(pod));
  }

  /** Jobs in the pod's namespace whose selector picks it (candidates for adopting an orphan). */
  private jobsSelecting(pod: Pod): Job[] {
    const ns = pod.metadata?.namespace;
    const labels = pod.metadata?.labels;
    if (!labels) return [];
    return this.jobs.list().filter((j) => j.metadata?.namespace === ns && matchesSelector(j.spec?.selector, labels));
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // Already being deleted when first seen (a restart): not a creation to observe.
      this.deletePod(pod, false);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const job = this.resolve(pod.metadata?.namespace, ref);
      if (!job) return;
      const key = objectKey(job);
      this.deps.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.enqueueOrphan(pod);
    for (const job of this.jobsSelecting(pod)) this.enqueue(job);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return; // a resync
    if (cur.metadata?.deletionTimestamp) {
      this.deletePod(cur, false);
      return;
    }
    const uid = cur.metadata?.uid ?? '';
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const job = this.resolve(old.metadata?.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.deps.finalizers.observed(objectKey(job), uid);
        this.enqueue(job);
      }
    }
    if (curRef) {
      const job = this.resolve(cur.metadata?.namespace, curRef);
      if (!job) return;
      if (finalizerRemoved) this.deps.finalizers.observed(objectKey(job), uid);
      this.enqueue(job);
      return;
    }
    if (hasTrackingFinalizer(cur)) this.enqueueOrphan(cur);
    const labelsChanged = JSON.stringify(cur.metadata?.labels ?? {}) !== JSON.stringify(old.metadata?.labels ?? {});
    if (labelsChanged || refChanged) for (const job of this.jobsSelecting(cur)) this.enqueue(job);
  }

  /** `final`: the pod is gone from the server, not merely being deleted. */
  private deletePod(pod: Pod, final: boolean): void {
    const ref = controllerRefOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer && !final) this.enqueueOrphan(pod);
      return;
    }
    const job = this.resolve(pod.metadata?.namespace, ref);
    if (!job || isJobFinished(job)) {
      // syncJob will not look at this pod: its finalizer is the orphan worker's to remove.
      if (hasFinalizer && !final) this.enqueueOrphan(pod);
      return;
    }
    const key = objectKey(job);
    this.deps.expectations.deletionObserved(key);
    if (final || !hasFinalizer) this.deps.finalizers.observed(key, pod.metadata?.uid ?? '');
    this.queue.add(key);
  }

  /** Queues the pods of the Job that still carry the finalizer, for the orphan worker. */
  private cleanupPodFinalizers(job: Job): void {
    for (const pod of this.pods.byIndex(podsByJobIndex, job.metadata?.uid ?? '')) {
      if (jobRef(pod)?.uid === job.metadata?.uid && hasTrackingFinalizer(pod)) this.enqueueOrphan(pod);
    }
  }

  /**
   * Removes the tracking finalizer of a pod no unfinished Job controls any more: its Job is
   * gone, finished, or released it.
   */
  private async syncOrphanPod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref) {
      // Another kind's pod with our finalizer: not ours to touch.
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolve(pod.metadata?.namespace, ref);
      if (job && isManagedElsewhere(job)) return; // its own controller's finalizer to remove
      if (job && !isJobFinished(job)) return; // adopted, or still running: syncJob's business
    }
    try {
      await this.ctx.client.patch(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, removeTrackingFinalizerPatch, 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * The pods the Job controls, after adopting orphans its selector picks (they get the
   * tracking finalizer too) and releasing those it no longer selects. Only the Job's own pods
   * and those labelled with its uid are looked at, unless the selector is manual.
   */
  private async podsForJob(job: Job): Promise<Pod[]> {
    const uid = job.metadata?.uid ?? '';
    const candidates = job.spec?.manualSelector
      ? this.pods.list().filter((p) => p.metadata?.namespace === job.metadata?.namespace)
      : this.pods.byIndex(podsByJobIndex, uid);
    const claimed = await claimObjects({
      client: this.ctx.client,
      resource: gvr.pods,
      owner: job,
      ownerKind: jobKind,
      ownerResource: gvr.jobs,
      selector: job.spec?.selector,
      candidates,
    });
    const owned = new Set(candidates.filter((p) => jobRef(p)?.uid === uid).map((p) => p.metadata?.uid));
    return Promise.all(claimed.map((p) => (owned.has(p.metadata?.uid) || hasTrackingFinalizer(p) ? p : this.addTrackingFinalizer(p))));
  }

  private async addTrackingFinalizer(pod: Pod): Promise<Pod> {
    const patch = { metadata: { finalizers: [jobTrackingFinalizer], uid: pod.metadata?.uid } };
    try {
      return await this.ctx.client.patch<Pod>(gvr.pods, pod.metadata!.namespace, pod.metadata!.name!, patch, 'strategic');
    } catch (err) {
      if (isNotFound(err)) return pod;
      throw err;
    }
  }
}
