// Keeps the graph in step with the informers (upstream's GraphBuilder.processGraphChanges) and
// decides what the collector must look at: an object whose owner is not in the graph gets a
// virtual owner node to verify; a deleted object's dependents are checked for being orphaned;
// an owner that starts a foreground deletion has its dependents deleted, one that starts an
// orphaning deletion has them released. Event handlers run one at a time on Node's loop, so the
// graph needs no locks.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { AbsentOwnerCache } from './absent-owners.ts';
import {
  GraphNode, orphanFinalizer, ownerIdentity, type Graph, type ObjectIdentity, type ObjectMeta,
} from './graph.ts';
import { isDeletingDependents } from './resources.ts';

export interface GraphBuilderSinks {
  attemptToDelete(uid: string, rateLimited?: boolean): void;
  attemptToOrphan(uid: string): void;
  /** Warning OwnerRefInvalidNamespace on the dependent. */
  invalidNamespace(dependent: GraphNode, ownerUid: string): void;
}

function refMatches(ref: OwnerReference, id: ObjectIdentity): boolean {
  return ref.uid === id.uid && ref.name === id.name && ref.kind === id.kind && ref.apiVersion === id.apiVersion;
}

function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.namespace === b.namespace;
}

function startsOrphaning(old: ObjectMeta | undefined, meta: ObjectMeta): boolean {
  const orphaning = (m: ObjectMeta) => m.beingDeleted && m.finalizers.includes(orphanFinalizer);
  return orphaning(meta) && (!old || !orphaning(old));
}

function startsDeletingDependents(old: ObjectMeta | undefined, meta: ObjectMeta): boolean {
  return isDeletingDependents(meta) && (!old || !isDeletingDependents(old));
}

/**
 * Dependents whose reference to the identity's uid matches its coordinates (and namespace, for a
 * namespaced owner), and those that name the uid with other coordinates.
 */
export function partitionDependents(deps: Iterable<GraphNode>, id: ObjectIdentity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  for (const dep of deps) {
    let match = false;
    let mismatch = false;
    if (id.namespace !== '' && id.namespace !== dep.identity.namespace) mismatch = true;
    else {
      for (const ref of dep.owners) {
        if (ref.uid !== id.uid) continue;
        if (refMatches(ref, id)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return { matching, nonmatching };
}

export class GraphBuilder {
  constructor(
    private readonly graph: Graph,
    private readonly absent: AbsentOwnerCache,
    private readonly sinks: GraphBuilderSinks,
  ) {}

  /** An add or update from an informer (old is the previous state, when known). */
  observe(meta: ObjectMeta, old?: ObjectMeta): void {
    let node = this.graph.get(meta.identity.uid);
    if (node?.virtual) node = this.markObserved(node, meta.identity);
    if (!node) {
      node = new GraphNode(meta.identity, meta.owners, false);
      node.beingDeleted = meta.beingDeleted;
      node.deletingDependents = isDeletingDependents(meta);
      this.graph.set(node);
      this.addDependentToOwners(node, meta.owners);
    } else {
      this.updateOwners(node, meta.owners);
      if (meta.beingDeleted) node.beingDeleted = true;
    }
    this.processTransitions(old, meta, node);
  }

  /** A delete from an informer. */
  observeDelete(meta: ObjectMeta): void {
    const node = this.graph.get(meta.identity.uid);
    if (node) this.removeNode(node, meta.identity);
  }

  /**
   * The collector verified (by GET) that no object has this identity: drop the node, unless some
   * dependents name the uid with other coordinates — those may still have a live owner.
   */
  virtualDelete(id: ObjectIdentity): void {
    const node = this.graph.get(id.uid);
    if (!node) return;
    if (node.virtual) {
      const { matching, nonmatching } = partitionDependents(node.dependents, id);
      if (nonmatching.length > 0) {
        this.absent.add(id);
        for (const dep of matching) this.sinks.attemptToDelete(dep.identity.uid);
        if (!sameIdentity(node.identity, id)) return;
        // Verify the next identity the dependents know the uid by; once none is left
        // unverified, every one of them is absent and the node goes.
        const alternate = this.alternateIdentity(nonmatching, id);
        if (alternate) {
          node.identity = alternate;
          this.sinks.attemptToDelete(node.identity.uid, true);
          return;
        }
      }
    } else if (!sameIdentity(node.identity, id)) {
      // The informer shows the object under other coordinates: only the references using
      // these coordinates dangle.
      const { matching } = partitionDependents(node.dependents, id);
      if (matching.length > 0) this.absent.add(id);
      for (const dep of matching) this.sinks.attemptToDelete(dep.identity.uid);
      return;
    }
    this.removeNode(node, id);
  }

  private removeNode(node: GraphNode, id: ObjectIdentity): void {
    this.graph.delete(node.identity.uid);
    for (const ref of node.owners) this.graph.get(ref.uid)?.removeDependent(node);
    if (node.dependents.size > 0) this.absent.add(id);
    for (const dep of node.dependents) this.sinks.attemptToDelete(dep.identity.uid);
    // An owner deleting in the foreground may have been waiting for just this one.
    for (const ref of node.owners) {
      const owner = this.graph.get(ref.uid);
      if (owner?.deletingDependents) this.sinks.attemptToDelete(owner.identity.uid);
    }
  }

  /** A virtual node seen at last; dependents naming it with other coordinates are re-checked. */
  private markObserved(node: GraphNode, observed: ObjectIdentity): GraphNode {
    if (!sameIdentity(node.identity, observed)) {
      const { nonmatching } = partitionDependents(node.dependents, observed);
      for (const dep of nonmatching) {
        if (observed.namespace !== '' && dep.identity.namespace !== observed.namespace) this.sinks.invalidNamespace(dep, observed.uid);
        this.sinks.attemptToDelete(dep.identity.uid);
      }
      node.identity = observed;
    }
    node.virtual = false;
    return node;
  }

  private updateOwners(node: GraphNode, owners: readonly OwnerReference[]): void {
    const before = new Map(node.owners.map((o) => [o.uid, o]));
    const after = new Map(owners.map((o) => [o.uid, o]));
    const added = owners.filter((o) => !before.has(o.uid));
    const removed = node.owners.filter((o) => !after.has(o.uid));
    const unblocked = node.owners.filter((o) => {
      const now = after.get(o.uid);
      return now !== undefined && o.blockOwnerDeletion === true && now.blockOwnerDeletion !== true;
    });
    const changed = owners.some((o) => {
      const was = before.get(o.uid);
      return was !== undefined && JSON.stringify(was) !== JSON.stringify(o);
    });
    if (added.length === 0 && removed.length === 0 && !changed) return;
    // An owner waiting in the foreground for this dependent need not wait any longer.
    for (const ref of [...removed, ...unblocked]) {
      if (ref.blockOwnerDeletion === true && this.graph.get(ref.uid)) this.sinks.attemptToDelete(ref.uid);
    }
    node.owners = owners;
    this.addDependentToOwners(node, added);
    for (const ref of removed) this.graph.get(ref.uid)?.removeDependent(node);
  }

  private addDependentToOwners(node: GraphNode, owners: readonly OwnerReference[]): void {
    let suspicious = false;
    for (const ref of owners) {
      let owner = this.graph.get(ref.uid);
      if (!owner) {
        // Not seen (yet): a virtual node, which the collector checks with a GET.
        owner = new GraphNode(ownerIdentity(ref, node.identity.namespace), [], true);
        this.graph.set(owner);
        owner.addDependent(node);
        this.sinks.attemptToDelete(ref.uid);
        continue;
      }
      owner.addDependent(node);
      if (suspicious) continue;
      const ownerNamespaced = owner.identity.namespace !== '';
      if (ownerNamespaced && owner.identity.namespace !== node.identity.namespace) {
        // A namespaced owner can only own objects of its own namespace.
        if (!owner.virtual) this.sinks.invalidNamespace(node, ref.uid);
        suspicious = true;
      } else if (!refMatches(ref, owner.identity)) {
        suspicious = true;
      } else if (!ownerNamespaced && owner.identity.namespace !== node.identity.namespace && owner.virtual) {
        suspicious = true;
      }
    }
    // Let the collector verify a reference that may be invalid (it deletes only if all dangle).
    if (suspicious) this.sinks.attemptToDelete(node.identity.uid);
  }

  private processTransitions(old: ObjectMeta | undefined, meta: ObjectMeta, node: GraphNode): void {
    if (startsOrphaning(old, meta)) {
      this.sinks.attemptToOrphan(node.identity.uid);
      return;
    }
    if (startsDeletingDependents(old, meta)) {
      node.deletingDependents = true;
      for (const dep of node.dependents) this.sinks.attemptToDelete(dep.identity.uid);
      this.sinks.attemptToDelete(node.identity.uid);
    }
  }

  /**
   * Another identity the dependents know the uid by and that is not yet known absent (upstream's
   * getAlternateOwnerIdentity: the first after the absent one in order, else the first).
   */
  private alternateIdentity(deps: GraphNode[], absent: ObjectIdentity): ObjectIdentity | undefined {
    const candidates: ObjectIdentity[] = [];
    for (const dep of deps) {
      for (const ref of dep.owners) {
        if (ref.uid !== absent.uid) continue;
        const id = ownerIdentity(ref, absent.namespace === '' && ref.kind === absent.kind && ref.apiVersion === absent.apiVersion ? '' : dep.identity.namespace);
        if (!sameIdentity(id, absent) && !this.absent.has(id)) candidates.push(id);
      }
    }
    const key = (i: ObjectIdentity) => [i.kind, i.apiVersion, i.namespace, i.name].join('\u0000');
    candidates.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return candidates.find((c) => key(c) > key(absent)) ?? candidates[0];
  }
}
