// Generic object calls: what every view can do to any cached object.
export interface ClusterMethods {
  deletePod: { params: { namespace: string; name: string }; result: null };
}
