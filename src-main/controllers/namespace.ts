// The namespace controller: a namespace being deleted (phase Terminating) has all its content
// deleted, then its "kubernetes" finalizer removed through /finalize, and the API server removes
// it. Informer + work queue + level-triggered reconcile, as upstream's namespace controller.
import { Informer, WorkQueue, runWorkers, isNotFound, type KubeClient } from '../client/index.ts';
import type { Namespace } from 'kubernetes-types/core/v1';
import type { ResourceRegistry } from '../api/registry.ts';

const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
const recheckMs = 1000;

export class NamespaceController {
  private readonly informer: Informer<Namespace>;
  private readonly queue = new WorkQueue<string>();
  private running?: Promise<void>;

  constructor(
    private readonly client: KubeClient,
    private readonly registry: ResourceRegistry,
    private readonly log: (line: string) => void,
  ) {
    this.informer = new Informer<Namespace>(client, namespaces, { resyncMs: 5 * 60_000 });
    const enqueue = (ns: Namespace) => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.informer.on('add', enqueue).on('update', (_o, n) => enqueue(n));
  }

  async start(): Promise<void> {
    await this.informer.start();
    this.running = runWorkers(this.queue, 1, (name) => this.reconcile(name), (name, err) => this.log(`namespace controller: ${name}: ${(err as Error).message}`));
  }

  stop(): void {
    this.informer.stop();
    this.queue.shutDown();
  }

  /** Deletes what is left in the namespace; finalizes it once nothing is. */
  async reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    const ns = this.informer.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const def of this.registry.definitions) {
      if (!def.namespaced) continue;
      const gvr = { group: def.group, version: def.versions[0].version, resource: def.resource };
      const list = await this.client.list(gvr, { namespace: name, limit: 1 });
      if (list.items.length === 0) continue;
      remaining++;
      await this.client.deleteCollection(gvr, { namespace: name });
    }
    if (remaining > 0) return { requeueAfterMs: recheckMs };
    if (!ns.spec?.finalizers?.includes('kubernetes')) return;
    try {
      const current = await this.client.get<Namespace>(namespaces, undefined, name);
      const finalizers = (current.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
      await this.client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, { ...current, spec: { ...current.spec, finalizers } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
