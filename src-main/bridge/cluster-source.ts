// What the UI cache needs from a list+watch source: the current objects once listed, then every
// change. The shared client's Informer is adapted to this in informer-source.ts; tests use fakes.
import type { KindMap, KindName } from './protocol.ts';

export type KubeObject = KindMap[KindName];

export interface SourceListener {
  upsert(object: KubeObject): void;
  delete(object: KubeObject): void;
}

export interface ClusterSource {
  /** Starts listing and watching; resolves once the initial list is in `list()`. */
  start(listener: SourceListener): Promise<void>;
  list(): KubeObject[];
  stop(): void;
}
