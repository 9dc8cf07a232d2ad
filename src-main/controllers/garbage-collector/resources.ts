// Which resources the garbage collector follows (upstream's GetDeletableResources: every
// preferred resource that supports list, watch and delete — not metrics, not events) and the
// RESTMapper it needs to turn an ownerReference's apiVersion/kind into a resource to GET.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { DiscoveredResource } from '../../client/discovery.ts';
import { apiVersionOf, parseApiVersion } from '../../client/gvr.ts';
import type { KubeObject } from '../../client/types.ts';
import { foregroundFinalizer, type ObjectMeta } from './graph.ts';

export function deletableResources(all: readonly DiscoveredResource[]): DiscoveredResource[] {
  return all.filter((r) =>
    ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))
    && r.group !== 'metrics.k8s.io'
    && !(r.resource === 'events' && (r.group === '' || r.group === 'events.k8s.io')));
}

/** A kind's resource could not be found: the reference names something this server lacks. */
export class RestMappingError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`unable to get REST mapping for ${apiVersion}/${kind}.`);
  }
}

export class ResourceMap {
  private readonly byGroupKind = new Map<string, DiscoveredResource>();

  constructor(resources: readonly DiscoveredResource[]) {
    for (const r of resources) this.byGroupKind.set(`${r.group}/${r.kind}`, r);
  }

  /** The served resource of an apiVersion/kind, in the group's preferred version. */
  forKind(apiVersion: string, kind: string): DiscoveredResource {
    const r = this.byGroupKind.get(`${parseApiVersion(apiVersion).group}/${kind}`);
    if (!r) throw new RestMappingError(apiVersion, kind);
    return r;
  }
}

/** The metadata the graph keeps of an object of resource r. */
export function metaOf(obj: KubeObject, r: DiscoveredResource): ObjectMeta {
  const m = obj.metadata ?? {};
  return {
    identity: {
      uid: m.uid ?? '',
      apiVersion: apiVersionOf(r),
      kind: r.kind,
      name: m.name ?? '',
      namespace: m.namespace ?? '',
    },
    owners: (m.ownerReferences ?? []).map(liteOwnerRef),
    beingDeleted: !!m.deletionTimestamp,
    finalizers: m.finalizers ?? [],
  };
}

/**
 * An informer transform that keeps only what metaOf reads (upstream's GC uses metadata-only
 * informers): for kinds no other controller caches — ConfigMaps, Secrets, Roles … — holding
 * whole objects just to read their ownerReferences would waste memory.
 */
export function metadataOnly<T extends KubeObject>(obj: T): T {
  const m = obj.metadata ?? {};
  const metadata: KubeObject['metadata'] = {
    name: m.name,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.ownerReferences?.length ? { ownerReferences: m.ownerReferences.map(liteOwnerRef) } : {}),
    ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    ...(m.finalizers?.length ? { finalizers: m.finalizers } : {}),
  };
  return { metadata } as T;
}

/** Only the fields of a reference the collector reads, so cached copies stay small. */
function liteOwnerRef(o: OwnerReference): OwnerReference {
  const ref: OwnerReference = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid };
  if (o.controller) ref.controller = true;
  if (o.blockOwnerDeletion) ref.blockOwnerDeletion = true;
  return ref;
}

export function isDeletingDependents(meta: Pick<ObjectMeta, 'beingDeleted' | 'finalizers'>): boolean {
  return meta.beingDeleted && meta.finalizers.includes(foregroundFinalizer);
}
