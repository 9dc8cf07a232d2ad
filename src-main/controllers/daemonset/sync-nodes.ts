// Carries out a DaemonSet's plan (upstream's syncNodes): deletions, then creations in slow-start
// batches (1, 2, 4, …) so that a template the API rejects fails once, not a thousand times.
// Expectations are raised first, so the next reconcile waits for the informer to see it all.
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1';
import { isNotFound } from '../../client/api-error.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { newControllerRef } from '../controller-ref.ts';
import type { ControllerExpectations } from '../expectations.ts';
import { podFromTemplate } from '../pod-template.ts';
import { withNodeNameAffinity } from './daemon-pod.ts';

/** Upstream's BurstReplicas: at most this many creations or deletions per sync. */
export const burstReplicas = 250;

export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;

export interface SyncNodesOptions {
  client: KubeClient;
  recorder: EventRecorder;
  expectations: ControllerExpectations;
  ds: DaemonSet;
  key: string;
  template: PodTemplateSpec;
  createOn: readonly string[];
  deletePods: readonly Pod[];
}

const involvedDS = (ds: DaemonSet) => ({ ...daemonSetKind, metadata: ds.metadata });

export async function syncNodes(o: SyncNodesOptions): Promise<void> {
  const createOn = o.createOn.slice(0, burstReplicas);
  const deletePods = o.deletePods.slice(0, burstReplicas);
  if (createOn.length === 0 && deletePods.length === 0) return;
  o.expectations.expect(o.key, createOn.length, deletePods.length);
  const errors: unknown[] = [];
  await Promise.all(deletePods.map((pod) => deletePod(o, pod).catch((e: unknown) => errors.push(e))));
  let next = 0;
  for (let batch = 1; next < createOn.length; batch *= 2) {
    const nodes = createOn.slice(next, next + batch);
    next += nodes.length;
    const failed = (await Promise.all(nodes.map((n) => createPod(o, n).then(() => false, (e: unknown) => {
      errors.push(e);
      return true;
    })))).some(Boolean);
    if (failed) break;
  }
  // Creations skipped after a failure will never be observed.
  if (next < createOn.length) o.expectations.lowerExpectations(o.key, createOn.length - next, 0);
  if (errors.length) throw errors[0];
}

async function createPod(o: SyncNodesOptions, nodeName: string): Promise<void> {
  const ns = o.ds.metadata!.namespace!;
  const pod = podFromTemplate(o.template, ns, o.ds.metadata!.name!, newControllerRef(o.ds, daemonSetKind));
  pod.spec!.affinity = withNodeNameAffinity(pod.spec!.affinity, nodeName);
  try {
    const created = await o.client.create<Pod>(gvr.pods, pod);
    o.recorder.event(involvedDS(o.ds), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
  } catch (err) {
    o.expectations.creationObserved(o.key);
    o.recorder.event(involvedDS(o.ds), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
    throw err;
  }
}

async function deletePod(o: SyncNodesOptions, pod: Pod): Promise<void> {
  const { namespace, name, uid } = pod.metadata!;
  try {
    await o.client.delete(gvr.pods, namespace, name!, { preconditions: { uid } });
    o.recorder.event(involvedDS(o.ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  } catch (err) {
    o.expectations.deletionObserved(o.key);
    if (isNotFound(err)) return;
    o.recorder.event(involvedDS(o.ds), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
    throw err;
  }
}
