// The shared client's Informer as a ClusterSource.
import { Informer } from '../client/informer.ts';
import type { KubeClient } from '../client/kube-client.ts';
import type { ClusterSource, KubeObject } from './cluster-source.ts';
import type { KindSpec } from './kinds.ts';

export function informerSource(client: KubeClient, spec: KindSpec): ClusterSource {
  const informer = new Informer<KubeObject>(client, spec.gvr);
  return {
    async start(listener) {
      informer.on('add', (obj) => listener.upsert(obj));
      informer.on('update', (_old, obj) => listener.upsert(obj));
      informer.on('delete', (obj) => listener.delete(obj));
      await informer.start();
    },
    list: () => informer.list(),
    stop: () => informer.stop(),
  };
}
