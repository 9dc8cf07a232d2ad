// What the garbage collector does to one object (upstream's attemptToDeleteItem,
// processDeletingDependentsItem and attemptToOrphanWorker). Every decision is taken on live
// state read with a GET, never on the graph alone: the graph may lag, and deleting on a stale
// view would destroy objects whose owner exists. Deletes carry the object's uid as a
// precondition, so that a new object of the same name is never hit; patches carry the uid and
// the resourceVersion read.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { isConflict, isNotFound } from '../../client/api-error.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import type { DeleteOptions, KubeObject } from '../../client/types.ts';
import { RetryLater } from '../queue-controller.ts';
import type { AbsentOwnerCache } from './absent-owners.ts';
import { foregroundFinalizer, orphanFinalizer, ownerIdentity, type Graph, type GraphNode, type ObjectIdentity } from './graph.ts';
import type { GraphBuilder } from './graph-builder.ts';
import type { ResourceMap } from './resources.ts';

/** A cluster-scoped object naming a namespaced owner: no retry can resolve it. */
export class NamespacedOwnerOfClusterScopedError extends Error {
  constructor() {
    super('cluster-scoped objects cannot refer to namespaced owners');
  }
}

type Policy = NonNullable<DeleteOptions['propagationPolicy']>;

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

export class CollectorOperations {
  constructor(
    private readonly client: KubeClient,
    private readonly graph: Graph,
    private readonly builder: GraphBuilder,
    private readonly resources: ResourceMap,
    private readonly absent: AbsentOwnerCache,
    private readonly enqueue: (uid: string) => void,
  ) {}

  /** Deletes the object if all its owners are gone, or drops the references that dangle. */
  async attemptToDelete(uid: string): Promise<void> {
    const item = this.graph.get(uid);
    if (!item) return;
    // Being deleted is a one-way trip: its dependents are looked at once it is gone.
    if (item.beingDeleted && !item.deletingDependents) return;
    const latest = await this.getObject(item.identity);
    if (!latest || latest.metadata?.uid !== item.identity.uid) {
      this.builder.virtualDelete(item.identity);
      return;
    }
    if (item.deletingDependents) {
      await this.processDeletingDependents(item);
      return;
    }
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length > 0) await this.collect(item, latest, refs);
    // A virtual node that exists: wait until its informer shows it.
    if (this.graph.get(uid)?.virtual) throw new RetryLater(`${item} not yet observed`);
  }

  private async collect(item: GraphNode, latest: KubeObject, refs: OwnerReference[]): Promise<void> {
    const { solid, dangling, waiting } = await this.classify(item, refs);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Owners waiting for their dependents would wait forever on one that another owner keeps.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.patchOwnerRefs(item, latest, (r) => (drop.has(r.uid) ? undefined : r));
      return;
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      // Deleting in the foreground through a chain: this one must first lose its own dependents.
      if ([...item.dependents].some((d) => d.deletingDependents)) {
        // A possible cycle: make our references non-blocking so that no one waits on us forever.
        await this.patchOwnerRefs(item, latest, (r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
      }
      await this.deleteObject(item, 'Foreground');
      return;
    }
    const finalizers = latest.metadata?.finalizers ?? [];
    const policy: Policy = finalizers.includes(orphanFinalizer) ? 'Orphan' : finalizers.includes(foregroundFinalizer) ? 'Foreground' : 'Background';
    await this.deleteObject(item, policy);
  }

  /** Owners that exist (solid), that do not (dangling), and that wait for their dependents. */
  private async classify(item: GraphNode, refs: OwnerReference[]): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      const owner = await this.ownerOf(ref, item);
      if (!owner) out.dangling.push(ref);
      else if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes(foregroundFinalizer)) out.waiting.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  /** The live owner, or undefined when the reference dangles (gone, or a uid of another object). */
  private async ownerOf(ref: OwnerReference, item: GraphNode): Promise<KubeObject | undefined> {
    const clusterKey = ownerIdentity(ref, '');
    const nsKey = ownerIdentity(ref, item.identity.namespace);
    if (this.absent.has(clusterKey) || this.absent.has(nsKey)) return undefined;
    const resource = this.resources.forKind(ref.apiVersion, ref.kind);
    if (resource.namespaced && item.identity.namespace === '') throw new NamespacedOwnerOfClusterScopedError();
    const key = resource.namespaced ? nsKey : clusterKey;
    let owner: KubeObject;
    try {
      owner = await this.client.get(resource, resource.namespaced ? item.identity.namespace : undefined, ref.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.absent.add(key);
      return undefined;
    }
    if (owner.metadata?.uid !== ref.uid) {
      this.absent.add(key);
      return undefined;
    }
    return owner;
  }

  /** A foreground deletion ends when no dependent blocks it any more. */
  private async processDeletingDependents(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item, foregroundFinalizer);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.enqueue(dep.identity.uid);
  }

  /** Releases every dependent of an owner deleted with the orphan policy, then lets it go. */
  async attemptToOrphan(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner) return;
    const deps = [...owner.dependents];
    for (let i = 0; i < deps.length; i += 16) {
      await Promise.all(deps.slice(i, i + 16).map((dep) => this.patchOwnerRefs(dep, undefined, (r) => (r.uid === uid ? undefined : r))));
    }
    await this.removeFinalizer(owner, orphanFinalizer);
  }

  /** The live object, or undefined when it is gone. */
  private async getObject(id: ObjectIdentity): Promise<KubeObject | undefined> {
    const resource = this.resources.forKind(id.apiVersion, id.kind);
    if (resource.namespaced && id.namespace === '') throw new NamespacedOwnerOfClusterScopedError();
    try {
      return await this.client.get(resource, resource.namespaced ? id.namespace : undefined, id.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async deleteObject(item: GraphNode, propagationPolicy: Policy): Promise<void> {
    const { identity } = item;
    const resource = this.resources.forKind(identity.apiVersion, identity.kind);
    try {
      await this.client.delete(resource, resource.namespaced ? identity.namespace : undefined, identity.name, {
        propagationPolicy, preconditions: { uid: identity.uid },
      });
    } catch (e) {
      // Gone already, or the name now belongs to another object: nothing of ours to delete.
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  /**
   * Rewrites the object's ownerReferences through `change` (undefined drops one), as a merge
   * patch that only applies to the object read (its uid and resourceVersion).
   */
  private async patchOwnerRefs(item: GraphNode, latest: KubeObject | undefined, change: (r: OwnerReference) => OwnerReference | undefined): Promise<void> {
    const { identity } = item;
    const resource = this.resources.forKind(identity.apiVersion, identity.kind);
    for (let attempt = 0; ; attempt++) {
      const current = latest ?? (await this.getObject(identity));
      latest = undefined;
      if (!current || current.metadata?.uid !== identity.uid) return;
      const before = current.metadata?.ownerReferences ?? [];
      const after = before.map(change).filter((r): r is OwnerReference => r !== undefined);
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      try {
        await this.client.patch(resource, resource.namespaced ? identity.namespace : undefined, identity.name, {
          metadata: { ownerReferences: after.length > 0 ? after : null, uid: identity.uid, resourceVersion: current.metadata?.resourceVersion },
        }, 'merge');
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 5) throw e;
      }
    }
  }

  private async removeFinalizer(item: GraphNode, finalizer: string): Promise<void> {
    const { identity } = item;
    const resource = this.resources.forKind(identity.apiVersion, identity.kind);
    for (let attempt = 0; ; attempt++) {
      const current = await this.getObject(identity);
      if (!current || current.metadata?.uid !== identity.uid) return;
      const finalizers = current.metadata?.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const rest = finalizers.filter((f) => f !== finalizer);
      try {
        await this.client.patch(resource, resource.namespaced ? identity.namespace : undefined, identity.name, {
          metadata: { finalizers: rest.length > 0 ? rest : null, resourceVersion: current.metadata?.resourceVersion },
        }, 'merge');
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 5) throw e;
      }
    }
  }
}
