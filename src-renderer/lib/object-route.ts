// Where an object opens: its view, with the details of that object asked for in the query
// ({ kind, namespace, name }), or the manifest editor on its live YAML. The palette and any
// view that links to an object use these, so every link to an object reads the same.
import type { KindName } from '../../src-main/bridge/protocol.ts';

export interface ObjectLocation {
  view: string;
  query: Record<string, string | undefined>;
}

const VIEW_OF: Partial<Record<KindName, string>> = {
  pods: 'pods',
  deployments: 'workloads', statefulsets: 'workloads', daemonsets: 'workloads', replicasets: 'workloads', jobs: 'workloads', cronjobs: 'workloads',
  services: 'services', endpoints: 'services',
  configmaps: 'config', secrets: 'config',
  nodes: 'nodes',
  namespaces: 'namespaces',
  events: 'events',
  roles: 'rbac', clusterroles: 'rbac', rolebindings: 'rbac', clusterrolebindings: 'rbac', serviceaccounts: 'rbac',
};

/** The object's own view with its details; the editor for kinds without one. */
export function objectView(kind: KindName, namespace: string | undefined, name: string): ObjectLocation {
  const view = VIEW_OF[kind];
  return view ? { view, query: { kind, namespace, name } } : objectEditor(kind, namespace, name);
}

/** The manifest editor on the live object. */
export function objectEditor(kind: KindName, namespace: string | undefined, name: string): ObjectLocation {
  return { view: 'editor', query: { kind, namespace, name } };
}
