// The shared client's Informer as a ClusterSource, and the wiring of a hub to a real API server.
import { Informer } from '../client/informer.ts';
import type { ClientConfig } from './client-config.ts';
import { KubeClient } from '../client/kube-client.ts';
import { ClusterCache } from './cluster-cache.ts';
import type { ClusterSource, KubeObject } from './cluster-source.ts';
import { BridgeHub } from './hub.ts';
import { UI_KINDS, type KindSpec } from './kinds.ts';
import { createServices } from './services/index.ts';


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

/** A hub that caches the UI kinds from the cluster and writes through the same client. */
export function createClusterHub(config: ClientConfig): { hub: BridgeHub; close(): void } {
  const client = new KubeClient(config.connection);
  const cache = new ClusterCache(UI_KINDS, (spec) => informerSource(client, spec));
  const hub = new BridgeHub(cache, createServices({ client, dataDir: config.dataDir, kubeconfigPath: config.kubeconfigPath }), config.info);
  return {
    hub,
    close() {
      hub.close();
      client.close();
    },
  };
}
