// Which objects each node may read, from the pods bound to it (upstream's node authorizer graph):
// a list+watch cache of pods, indexed by node and referenced object. Until its first list is in,
// it knows of no relationship, so a node's requests for its pods' objects are refused and retried.
import type { Pod } from 'kubernetes-types/core/v1';
import { Informer, stripManagedFields } from '../../client/informer.ts';
import type { KubeClient } from '../../client/kube-client.ts';
import { gvr } from '../../client/resources.ts';
import { podReferences } from './pod-references.ts';

export type ReferencedKind = 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'serviceaccounts';

const REFERENCES = 'node-references';
const edge = (node: string, kind: ReferencedKind, namespace: string, name: string) => `${node}|${kind}|${namespace}/${name}`;

export class NodeGraph {
  private pods?: Informer<Pod>;

  /** Starts following the pods; resolves once they are listed. */
  async start(client: KubeClient): Promise<void> {
    const pods = new Informer<Pod>(client, gvr.pods, { transform: stripManagedFields });
    pods.addIndex(REFERENCES, (p) => {
      const node = p.spec?.nodeName;
      const ns = p.metadata?.namespace ?? '';
      if (!node) return [];
      const refs = podReferences(p);
      return [
        ...refs.secrets.map((n) => edge(node, 'secrets', ns, n)),
        ...refs.configMaps.map((n) => edge(node, 'configmaps', ns, n)),
        ...refs.persistentVolumeClaims.map((n) => edge(node, 'persistentvolumeclaims', ns, n)),
        edge(node, 'serviceaccounts', ns, refs.serviceAccount),
      ];
    });
    this.pods = pods;
    await pods.start();
  }

  stop(): void {
    this.pods?.stop();
  }

  /** The pod is bound to the node. */
  runs(node: string, namespace: string, pod: string): boolean {
    return this.pods?.get(`${namespace}/${pod}`)?.spec?.nodeName === node;
  }

  /** A pod bound to the node refers to the object. */
  refers(node: string, kind: ReferencedKind, namespace: string, name: string): boolean {
    return (this.pods?.byIndex(REFERENCES, edge(node, kind, namespace, name)).length ?? 0) > 0;
  }
}
