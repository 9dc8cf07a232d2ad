// What lives in a namespace, so that deleting one says what goes with it.
import type { KindName } from '../../../src-main/bridge/protocol.ts';
import type { ClusterState } from '../../lib/cluster.svelte.ts';

// The namespaced kinds the cache holds, named as a user counts them. Events and Endpoints are
// left out: they come and go with the rest.
const CONTENTS: [KindName, string, string][] = [
  ['pods', 'pod', 'pods'], ['deployments', 'deployment', 'deployments'], ['statefulsets', 'stateful set', 'stateful sets'],
  ['daemonsets', 'daemon set', 'daemon sets'], ['replicasets', 'replica set', 'replica sets'], ['jobs', 'job', 'jobs'],
  ['cronjobs', 'cron job', 'cron jobs'], ['services', 'service', 'services'], ['configmaps', 'config map', 'config maps'],
  ['secrets', 'secret', 'secrets'], ['persistentvolumeclaims', 'volume claim', 'volume claims'],
  ['serviceaccounts', 'service account', 'service accounts'], ['roles', 'role', 'roles'], ['rolebindings', 'role binding', 'role bindings'],
];

/** "3 pods, 1 deployment, 2 services" — what is in the namespace, by kind, largest kinds first. */
export function namespaceContents(cluster: ClusterState, namespace: string): string[] {
  return CONTENTS.map(([kind, one, many]) => {
    let n = 0;
    for (const o of cluster.stores[kind].items.values()) if (o.metadata?.namespace === namespace) n++;
    return { n, text: `${n} ${n === 1 ? one : many}` };
  }).filter((c) => c.n > 0).map((c) => c.text);
}

export interface PodCounts {
  running: number;
  total: number;
}

/** Pods per namespace, in one pass over the pod list. */
export function podCountsByNamespace(cluster: ClusterState): Map<string, PodCounts> {
  const counts = new Map<string, PodCounts>();
  for (const pod of cluster.pods.items.values()) {
    const ns = pod.metadata?.namespace ?? '';
    const c = counts.get(ns) ?? { running: 0, total: 0 };
    c.total++;
    if (pod.status?.phase === 'Running') c.running++;
    counts.set(ns, c);
  }
  return counts;
}
