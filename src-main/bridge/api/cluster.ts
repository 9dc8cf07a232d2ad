// Generic object calls: what every view can do to any cached object.
import type { KindName } from './kinds.ts';

export interface ObjectRef {
  kind: KindName;
  /** Absent for cluster-scoped kinds (nodes, namespaces, cluster roles…). */
  namespace?: string;
  name: string;
}

export interface ClusterMethods {
  deletePod: { params: { namespace: string; name: string }; result: null };
  /** Deletes any cached kind's object (foreground for workloads, as kubectl does by default: background). */
  deleteObject: { params: ObjectRef; result: null };
}
