// Where an object opens: its view, with that object's details asked for in the view's own
// query, or the manifest editor on its live YAML. The palette and any
// view that links to an object use these, so every link to an object reads the same.
import type { KindName } from '../../src-main/bridge/protocol.ts';

export interface ObjectLocation {
  view: string;
  query: Record<string, string | undefined>;
}

/** Each view's own query for one of its objects (what the views read). */
const ROUTES: Partial<Record<KindName, (namespace: string | undefined, name: string) => ObjectLocation>> = {
  pods: (namespace, name) => ({ view: 'pods', query: { namespace, name } }),
  services: (namespace, name) => ({ view: 'services', query: { namespace, name } }),
  nodes: (_namespace, name) => ({ view: 'nodes', query: { node: name } }),
  namespaces: (_namespace, name) => ({ view: 'namespaces', query: { name } }),
};
for (const kind of ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs'] as const) {
  ROUTES[kind] = (namespace, name) => ({ view: 'workloads', query: { kind, namespace, name } });
}
for (const kind of ['configmaps', 'secrets'] as const) ROUTES[kind] = (namespace, name) => ({ view: 'config', query: { tab: kind, namespace, name } });

/** The object's own view with its details; the editor for kinds without one. */
export function objectView(kind: KindName, namespace: string | undefined, name: string): ObjectLocation {
  return ROUTES[kind]?.(namespace, name) ?? objectEditor(kind, namespace, name);
}

/** The manifest editor on the live object. */
export function objectEditor(kind: KindName, namespace: string | undefined, name: string): ObjectLocation {
  return { view: 'editor', query: { kind, namespace, name } };
}
