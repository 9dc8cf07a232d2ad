// The pods bound to a node, from the shared pods cache through an index (upstream's
// "spec.nodeName" indexer), so that a node going silent costs its own pods, not a scan of all.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Informer } from '../../client/informer.ts';

const index = 'node-lifecycle/spec.nodeName';

/** Adds the index to the pods informer (before it starts); adding it twice is harmless. */
export function indexPodsByNode(pods: Informer<Pod>): Informer<Pod> {
  return pods.addIndex(index, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
}

export function podsOnNode(pods: Informer<Pod>, nodeName: string): Pod[] {
  return pods.byIndex(index, nodeName);
}
