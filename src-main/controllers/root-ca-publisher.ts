// Upstream's root-ca-cert-publisher: every active namespace has the ConfigMap kube-root-ca.crt
// with the cluster CA (ca.crt), which pods' kube-api-access volumes project to verify the API
// server. A changed or deleted copy is put back.
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isNotFound } from '../client/api-error.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCACertPublisher extends QueueController {
  private readonly namespaces;
  private readonly configMaps;

  constructor(ctx: ControllerContext) {
    super('root-ca-cert-publisher', ctx, 1);
    this.namespaces = ctx.informers.informer<Namespace>(gvr.namespaces);
    this.configMaps = ctx.informers.informer<ConfigMap>(gvr.configMaps);
    this.namespaces.on('add', this.enqueue).on('update', (_o, n) => this.enqueue(n));
    const ours = (cm: ConfigMap): void => {
      if (cm.metadata?.name === ROOT_CA_CONFIGMAP && cm.metadata.namespace) this.queue.add(cm.metadata.namespace);
    };
    this.configMaps.on('update', (_o, n) => ours(n)).on('delete', ours);
  }

  /** The key is a namespace's name. */
  async reconcile(namespace: string): Promise<ReconcileResult> {
    const caPem = this.ctx.client.caPem;
    const ns = this.namespaces.get(namespace);
    if (!caPem || !ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const data = { 'ca.crt': caPem };
    const cm = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    if (!cm) {
      try {
        await this.ctx.client.create(gvr.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data }, { fieldManager: 'kube-controller-manager' });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return;
    }
    if (cm.data?.['ca.crt'] === caPem && Object.keys(cm.data).length === 1 && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
    try {
      const annotations = { ...cm.metadata?.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION };
      await this.ctx.client.update(gvr.configMaps, { ...cm, metadata: { ...cm.metadata, annotations }, data }, { fieldManager: 'kube-controller-manager' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
