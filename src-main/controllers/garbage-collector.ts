// The garbage collector (upstream's pkg/controller/garbagecollector): objects whose owners are
// all gone are deleted (background cascading); an owner deleted in the foreground waits, with
// the foregroundDeletion finalizer, until its blocking dependents are gone; an owner deleted
// with the orphan policy first has its ownerReference removed from every dependent. The API
// server only sets the finalizers (see api/handlers/delete.ts); the rest happens here.
//
// The graph follows every resource that can be listed, watched and deleted. Kinds other
// controllers cache anyway (pods, ReplicaSets …) come from the shared informers; all others from
// informers of its own that keep only metadata, so the collector's memory is a few fields per object.
import type { DiscoveredResource } from '../client/discovery.ts';
import { isConflict, isNotFound } from '../client/api-error.ts';
import type { GroupVersionResource } from '../client/gvr.ts';
import { Informer } from '../client/informer.ts';
import { gvr } from '../client/resources.ts';
import type { KubeObject } from '../client/types.ts';
import { WorkQueue, runWorkers } from '../client/workqueue.ts';
import type { Controller, ControllerContext } from './context.ts';
import { AbsentOwnerCache } from './garbage-collector/absent-owners.ts';
import { Graph, objectReferenceString, type GraphNode } from './garbage-collector/graph.ts';
import { GraphBuilder } from './garbage-collector/graph-builder.ts';
import { CollectorOperations, NamespacedOwnerOfClusterScopedError } from './garbage-collector/operations.ts';
import { deletableResources, metadataOnly, metaOf, ResourceMap, RestMappingError } from './garbage-collector/resources.ts';
import { RetryLater } from './queue-controller.ts';

/** Resources whose shared informer other controllers hold anyway: the graph reuses their cache. */
const sharedResources: readonly GroupVersionResource[] = [
  gvr.pods, gvr.nodes, gvr.services, gvr.endpoints, gvr.endpointSlices, gvr.namespaces, gvr.deployments,
  gvr.replicaSets, gvr.daemonSets, gvr.controllerRevisions, gvr.jobs, gvr.cronJobs, gvr.leases,
];

function same(a: GroupVersionResource, b: GroupVersionResource): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource;
}

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector-controller';
  private readonly graph = new Graph();
  private readonly deleteQueue: WorkQueue<string>;
  private readonly orphanQueue: WorkQueue<string>;
  private readonly builder: GraphBuilder;
  private readonly ops: CollectorOperations;
  /** The collector's own metadata-only informers, for kinds no shared informer caches. */
  private readonly monitors: { informer: Informer; resource: DiscoveredResource }[] = [];
  private readonly recorder;
  private stopped = false;

  constructor(private readonly ctx: ControllerContext) {
    this.deleteQueue = new WorkQueue<string>(undefined, ctx.clock);
    this.orphanQueue = new WorkQueue<string>(undefined, ctx.clock);
    this.recorder = ctx.recorder('garbage-collector-controller');
    const absent = new AbsentOwnerCache();
    this.builder = new GraphBuilder(this.graph, absent, {
      attemptToDelete: (uid, rateLimited) => (rateLimited ? this.deleteQueue.addRateLimited(uid) : this.deleteQueue.add(uid)),
      attemptToOrphan: (uid) => this.orphanQueue.add(uid),
      invalidNamespace: (dep, ownerUid) => this.reportInvalidNamespace(dep, ownerUid),
    });
    const resources = deletableResources(ctx.resources);
    this.ops = new CollectorOperations(ctx.client, this.graph, this.builder, new ResourceMap(ctx.resources), absent, (uid) => this.deleteQueue.add(uid));
    for (const r of resources) {
      if (sharedResources.some((s) => same(s, r))) this.follow(this.ctx.informers.informer<KubeObject>(r), r);
      else {
        const informer = new Informer(ctx.client, r, { transform: metadataOnly });
        this.follow(informer, r).on('error', (e) => this.ctx.log(`${this.name}: ${r.group || 'core'}/${r.resource}: ${e.message}`));
        this.monitors.push({ informer, resource: r });
      }
    }
  }

  private follow(inf: Informer, r: DiscoveredResource): Informer {
    return inf
      .on('add', (o) => this.builder.observe(metaOf(o, r)))
      .on('update', (old, o) => this.builder.observe(metaOf(o, r), metaOf(old, r)))
      .on('delete', (o) => this.builder.observeDelete(metaOf(o, r)));
  }

  /**
   * Resolves once a monitor's first list is in — or after a while of failing lists, so that one
   * broken resource cannot hold the whole collector back; the informer keeps retrying.
   */
  private startMonitor(m: { informer: Informer; resource: DiscoveredResource }, giveUpAfterMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((r) => (timer = setTimeout(r, giveUpAfterMs)));
    const listed = m.informer.start().catch((e: Error) => this.ctx.log(`${this.name}: ${m.resource.group || 'core'}/${m.resource.resource}: ${e.message}`));
    return Promise.race([listed.finally(() => clearTimeout(timer)), waited]);
  }

  start(): void {
    // The collector acts only on a complete graph: an orphaning owner must know all its
    // dependents. The shared informers have synced; the monitors list in the background.
    void Promise.all(this.monitors.map((m) => this.startMonitor(m))).then(() => {
      if (this.stopped) return;
      return Promise.all([
        runWorkers(this.deleteQueue, 10, (uid) => this.attemptToDelete(uid), (uid, e) => this.onError('attemptToDelete', uid, e)),
        runWorkers(this.orphanQueue, 4, (uid) => this.ops.attemptToOrphan(uid), (uid, e) => this.onError('attemptToOrphan', uid, e)),
      ]);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const m of this.monitors) m.informer.stop();
    this.deleteQueue.shutDown();
    this.orphanQueue.shutDown();
  }

  /** How many objects the graph holds (for tests and the benchmark's memory accounting). */
  graphSize(): number {
    return this.graph.size;
  }

  private async attemptToDelete(uid: string): Promise<void> {
    try {
      await this.ops.attemptToDelete(uid);
    } catch (e) {
      // A cluster-scoped object naming a namespaced owner: no retry can help (upstream forgets it).
      if (!(e instanceof NamespacedOwnerOfClusterScopedError)) throw e;
    }
  }

  private onError(what: string, uid: string, e: unknown): void {
    if (e instanceof RetryLater || isConflict(e) || isNotFound(e) || e instanceof RestMappingError) return;
    this.ctx.log(`${this.name}: ${what} ${this.graph.get(uid) ?? uid}: ${(e as Error).message}`);
  }

  /** Warning OwnerRefInvalidNamespace on a dependent that names an owner of another namespace. */
  private reportInvalidNamespace(dep: GraphNode, ownerUid: string): void {
    const ref = dep.owners.find((o) => o.uid === ownerUid);
    if (!ref) return;
    const { apiVersion, kind, namespace, name, uid } = dep.identity;
    const invalid = objectReferenceString({ apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name, uid: ref.uid });
    this.recorder.event(
      { kind, apiVersion, metadata: { name, uid, ...(namespace ? { namespace } : {}) } },
      'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${invalid} does not exist in namespace "${namespace}"`,
    );
  }
}
