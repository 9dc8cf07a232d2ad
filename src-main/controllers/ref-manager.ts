// Adoption and release (pkg/controller/controller_ref_manager.go): a controller claims the
// objects its selector matches — adopting orphans by adding itself as their controller, and
// releasing what it owns but no longer matches — so that `kubectl label pod x app-` takes a pod
// out of its ReplicaSet, and a new ReplicaSet picks up pods that lost their owner.
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { isNotFound } from '../client/api-error.ts';
import type { GroupVersionResource } from '../client/gvr.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { matchesSelector } from '../client/label-selector.ts';
import type { KubeObject } from '../client/types.ts';
import { controllerRefOf, newControllerRef, type OwnerKind } from './controller-ref.ts';

export interface ClaimOptions<T extends KubeObject> {
  client: KubeClient;
  /** The resource of the candidates (pods, replicasets). */
  resource: GroupVersionResource;
  owner: KubeObject;
  ownerKind: OwnerKind;
  ownerResource: GroupVersionResource;
  selector: LabelSelector | undefined;
  candidates: readonly T[];
}

/** The candidates the owner controls after adoption and release, as they are now. */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = o.owner.metadata?.uid;
  const ownerDeleting = !!o.owner.metadata?.deletionTimestamp;
  let adoptable: boolean | undefined;
  // Like upstream's canAdopt: check once, against the live owner, that it is still the same
  // object and not being deleted — the cache may be behind.
  const canAdopt = async (): Promise<boolean> => {
    if (adoptable === undefined) {
      try {
        const fresh = await o.client.get(o.ownerResource, o.owner.metadata?.namespace, o.owner.metadata!.name!);
        adoptable = fresh.metadata?.uid === ownerUid && !fresh.metadata?.deletionTimestamp;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        adoptable = false;
      }
    }
    return adoptable;
  };
  const claimed: T[] = [];
  for (const obj of o.candidates) {
    const ref = controllerRefOf(obj);
    const matches = matchesSelector(o.selector, obj.metadata?.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) claimed.push(obj);
      else if (!ownerDeleting && !obj.metadata?.deletionTimestamp) await release(o, obj);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata?.deletionTimestamp) continue;
    if (!(await canAdopt())) continue;
    const adopted = await adopt(o, obj);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function adopt<T extends KubeObject>(o: ClaimOptions<T>, obj: T): Promise<T | undefined> {
  const patch = { metadata: { ownerReferences: [newControllerRef(o.owner, o.ownerKind)], uid: obj.metadata?.uid } };
  try {
    return await o.client.patch<T>(o.resource, obj.metadata?.namespace, obj.metadata!.name!, patch, 'strategic');
  } catch (err) {
    if (isNotFound(err)) return undefined; // gone meanwhile: nothing to adopt
    throw err;
  }
}

async function release<T extends KubeObject>(o: ClaimOptions<T>, obj: T): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: o.owner.metadata?.uid }], uid: obj.metadata?.uid } };
  try {
    await o.client.patch(o.resource, obj.metadata?.namespace, obj.metadata!.name!, patch, 'strategic');
  } catch (err) {
    // Gone, or changed owner meanwhile (the uid precondition failed): either way not ours.
    if (!isNotFound(err) && (err as { status?: number }).status !== 422 && (err as { status?: number }).status !== 409) throw err;
  }
}
