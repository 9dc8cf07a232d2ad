// The namespace controller: a namespace being deleted (phase Terminating) has all its content
// deleted, then its "kubernetes" finalizer removed through /finalize, and the API server removes
// it. As upstream's namespace controller.
import type { Namespace } from 'kubernetes-types/core/v1';
import { isNotFound } from '../client/api-error.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, RetryLater, type ReconcileResult } from './queue-controller.ts';

export class NamespaceController extends QueueController {
  private readonly namespaces;

  constructor(ctx: ControllerContext) {
    super('namespace-controller', ctx, 1);
    this.namespaces = ctx.informers.informer<Namespace>(gvr.namespaces);
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata?.deletionTimestamp) this.enqueue(ns);
    };
    this.namespaces.on('add', enqueue).on('update', (_o, n) => enqueue(n));
  }

  /** Deletes what is left in the namespace; finalizes it once nothing is. */
  async reconcile(name: string): Promise<ReconcileResult> {
    const ns = this.namespaces.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const r of this.ctx.resources) {
      if (!r.namespaced || !r.verbs.includes('deletecollection') || r.group === 'metrics.k8s.io') continue;
      const list = await this.ctx.client.list(r, { namespace: name, limit: 1 });
      if (list.items.length === 0) continue;
      remaining++;
      await this.ctx.client.deleteCollection(r, { namespace: name });
    }
    if (remaining > 0) throw new RetryLater(`namespace ${name} still has content`);
    if (!ns.spec?.finalizers?.includes('kubernetes')) return;
    try {
      const current = await this.ctx.client.get<Namespace>(gvr.namespaces, undefined, name);
      const finalizers = (current.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
      await this.ctx.client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, { ...current, spec: { ...current.spec, finalizers } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
