// The command palette's state and what it offers: views, the cluster's objects by name, and
// actions. Items are gathered when it opens (a snapshot: results do not jump while typing as
// pods churn) and ranked per keystroke, capped, so 20,000 pods stay instant.
import { KIND_NAMES, type KindName } from '../../src-main/bridge/protocol.ts';
import type { ClusterState } from './cluster.svelte.ts';
import { dock } from './dock.svelte.ts';
import { rank, type Ranked } from './fuzzy.ts';
import { objectEditor, objectView } from './object-route.ts';
import { router } from './router.svelte.ts';
import { selection } from './selection.svelte.ts';
import { VIEWS } from './views.ts';

export interface PaletteItem {
  id: string;
  type: 'view' | 'object' | 'action';
  /** What is matched and shown. */
  title: string;
  /** Shown beside it: the kind and namespace, a view's key. */
  detail?: string;
  hint?: string;
  run(): void;
  /** Shift+Enter: for objects, open the manifest editor on it. */
  alternate?: () => void;
}

/** The kinds the palette finds by name. */
export const PALETTE_KINDS = ['pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'services', 'configmaps', 'secrets', 'nodes', 'namespaces'] as const satisfies readonly KindName[];

const KIND_LABEL: Record<(typeof PALETTE_KINDS)[number], string> = {
  pods: 'Pod', deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet', jobs: 'Job', cronjobs: 'CronJob',
  services: 'Service', configmaps: 'ConfigMap', secrets: 'Secret', nodes: 'Node', namespaces: 'Namespace',
};

const go = (loc: { view: string; query: Record<string, string | undefined> }) => () => router.go(loc.view, loc.query);

function actions(cluster: ClusterState): PaletteItem[] {
  const list: PaletteItem[] = [
    { id: 'action:new-manifest', type: 'action', title: 'New manifest', detail: 'Manifest editor, from a Deployment template', run: () => router.go('editor', { template: 'deployment' }) },
    { id: 'action:local-shell', type: 'action', title: 'Open a local terminal', detail: 'kubectl already points at this cluster', run: () => void dock.open({ type: 'local' }, 'Local shell') },
    { id: 'action:add-node', type: 'action', title: 'Add a node', detail: 'Join a machine over SSH', run: () => router.go('add-node') },
    { id: 'action:ns:', type: 'action', title: 'Switch to all namespaces', run: () => (selection.namespace = '') },
  ];
  for (const ns of cluster.namespaces.names) list.push({ id: `action:ns:${ns}`, type: 'action', title: `Switch to namespace ${ns}`, run: () => (selection.namespace = ns) });
  return list;
}

/** Everything the palette can offer now: views and actions first (an empty query shows them). */
export function paletteItems(cluster: ClusterState): PaletteItem[] {
  const items: PaletteItem[] = VIEWS.map((v) => ({ id: `view:${v.id}`, type: 'view', title: v.title, detail: 'View', hint: v.key, run: () => router.go(v.id) }));
  items.push(...actions(cluster));
  for (const kind of PALETTE_KINDS) {
    if (!KIND_NAMES.includes(kind)) continue;
    for (const o of cluster.stores[kind].items.values()) {
      const name = o.metadata?.name ?? '';
      const namespace = o.metadata?.namespace;
      items.push({
        id: `${kind}:${namespace ?? ''}/${name}`, type: 'object', title: name,
        detail: namespace ? `${KIND_LABEL[kind]} · ${namespace}` : KIND_LABEL[kind],
        run: go(objectView(kind, namespace, name)),
        alternate: go(objectEditor(kind, namespace, name)),
      });
    }
  }
  return items;
}

/** The best matches for query; views and actions win ties with objects of the same name. */
export function searchPalette(items: readonly PaletteItem[], query: string, limit = 50): Ranked<PaletteItem>[] {
  return rank(query, items, (i) => i.title, limit, (i) => (i.type === 'object' ? 0 : 100));
}

class Palette {
  open = $state(false);
  help = $state(false);

  show(): void {
    this.help = false;
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }
}

export const palette = new Palette();
