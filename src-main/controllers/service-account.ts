// Upstream's serviceaccounts controller: every active namespace has the ServiceAccount
// "default", made again when deleted. Pods that name no service account run as it.
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import { isAlreadyExists } from '../client/api-error.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountsController extends QueueController {
  private readonly namespaces;
  private readonly serviceAccounts;

  constructor(ctx: ControllerContext) {
    super('serviceaccount-controller', ctx, 1);
    this.namespaces = ctx.informers.informer<Namespace>(gvr.namespaces);
    this.serviceAccounts = ctx.informers.informer<ServiceAccount>(gvr.serviceAccounts);
    this.namespaces.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n));
    this.serviceAccounts.on('delete', (sa) => {
      if (sa.metadata?.name === DEFAULT_SERVICE_ACCOUNT && sa.metadata.namespace) this.queue.add(sa.metadata.namespace);
    });
  }

  /** The key is a namespace's name. */
  async reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = this.namespaces.get(namespace);
    // A namespace being deleted gets nothing new (its content is going away).
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.serviceAccounts.get(`${namespace}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    try {
      await this.ctx.client.create(gvr.serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } }, { fieldManager: 'kube-controller-manager' });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
