// Every screen of the app: the sidebar, the command palette and the router read this list. Views
// load on first visit, so the editor's Monaco (and anything big) costs nothing at start-up.
import type { Component } from 'svelte';

export interface ViewEntry {
  id: string;
  title: string;
  section: 'Cluster' | 'Workloads' | 'Network' | 'Configuration' | 'Access' | 'Tools';
  /** A single key that opens it from anywhere (with no input focused), shown in the palette. */
  key?: string;
  load: () => Promise<{ default: Component<{ cluster: import('./cluster.svelte.ts').ClusterState; query: Record<string, string> }> }>;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'overview', title: 'Overview', section: 'Cluster', key: 'o', load: () => import('../views/overview/OverviewView.svelte') },
  { id: 'nodes', title: 'Nodes', section: 'Cluster', key: 'n', load: () => import('../views/nodes/NodesView.svelte') },
  { id: 'add-node', title: 'Add node', section: 'Cluster', load: () => import('../views/add-node/AddNodeView.svelte') },
  { id: 'namespaces', title: 'Namespaces', section: 'Cluster', load: () => import('../views/namespaces/NamespacesView.svelte') },
  { id: 'events', title: 'Events', section: 'Cluster', key: 'e', load: () => import('../views/events/EventsView.svelte') },
  { id: 'workloads', title: 'Workloads', section: 'Workloads', key: 'w', load: () => import('../views/workloads/WorkloadsView.svelte') },
  { id: 'pods', title: 'Pods', section: 'Workloads', key: 'p', load: () => import('../views/pods/PodsView.svelte') },
  { id: 'logs', title: 'Logs', section: 'Workloads', key: 'l', load: () => import('../views/logs/LogsView.svelte') },
  { id: 'services', title: 'Services', section: 'Network', key: 's', load: () => import('../views/services/ServicesView.svelte') },
  { id: 'port-forwards', title: 'Port forwards', section: 'Network', load: () => import('../views/port-forwards/PortForwardsView.svelte') },
  { id: 'config', title: 'ConfigMaps & Secrets', section: 'Configuration', key: 'c', load: () => import('../views/config/ConfigView.svelte') },
  { id: 'rbac', title: 'RBAC', section: 'Access', load: () => import('../views/rbac/RbacView.svelte') },
  { id: 'editor', title: 'Manifest editor', section: 'Tools', key: 'm', load: () => import('../views/editor/EditorView.svelte') },
];

export function viewById(id: string): ViewEntry | undefined {
  return VIEWS.find((v) => v.id === id);
}
