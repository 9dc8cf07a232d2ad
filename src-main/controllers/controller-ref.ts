// Owner references with controller: true — how a ReplicaSet knows its pods and a Deployment its
// ReplicaSets (apimachinery's metav1.GetControllerOf / NewControllerRef).
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { KubeObject } from '../client/types.ts';

export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The reference a controller puts on what it creates: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether obj's controller is owner (by uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerRefOf(obj);
  return !!ref && ref.uid === owner.metadata?.uid;
}
