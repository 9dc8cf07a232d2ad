// Informer indices the ReplicaSet and Deployment controllers share, so that a sync looks at the
// objects of one owner (and the orphans of one namespace) instead of scanning every pod in the
// cluster: at 10,000 pods a scan per event is what would make the controllers the bottleneck.
import type { Informer } from '../../client/informer.ts';
import type { KubeObject } from '../../client/types.ts';
import { controllerRefOf } from '../controller-ref.ts';

export const ownerIndex = {
  /** The uid of the object's controller (ownerReference with controller: true). */
  controllerUid: 'kubelab.dev/controller-uid',
  /** The namespace of objects without a controller: the candidates for adoption. */
  orphanNamespace: 'kubelab.dev/orphan-namespace',
  /** The namespace of every object. */
  namespace: 'kubelab.dev/namespace',
} as const;

const byControllerUid = (obj: KubeObject): string[] => {
  const uid = controllerRefOf(obj)?.uid;
  return uid ? [uid] : [];
};

const orphansByNamespace = (obj: KubeObject): string[] => (controllerRefOf(obj) ? [] : [obj.metadata?.namespace ?? '']);

const byNamespace = (obj: KubeObject): string[] => [obj.metadata?.namespace ?? ''];

/** Files the informer's objects by controller uid and orphans by namespace. */
export function addOwnerIndices<T extends KubeObject>(informer: Informer<T>): void {
  informer.addIndex(ownerIndex.controllerUid, byControllerUid);
  informer.addIndex(ownerIndex.orphanNamespace, orphansByNamespace);
}

export function addNamespaceIndex<T extends KubeObject>(informer: Informer<T>): void {
  informer.addIndex(ownerIndex.namespace, byNamespace);
}

/** What the owner controls now, plus the orphans of its namespace: what claimObjects looks at. */
export function claimCandidates<T extends KubeObject>(informer: Informer<T>, owner: KubeObject): T[] {
  const owned = owner.metadata?.uid ? informer.byIndex(ownerIndex.controllerUid, owner.metadata.uid) : [];
  return [...owned, ...informer.byIndex(ownerIndex.orphanNamespace, owner.metadata?.namespace ?? '')];
}
