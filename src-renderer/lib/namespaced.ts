// What a namespaced view lists: the selected namespace's objects (all when none is selected, or
// when the selected one was deleted), in kubectl's -A order.
import { formatAge } from './age.ts';
import type { ClusterState } from './cluster.svelte.ts';
import { selection } from './selection.svelte.ts';

interface Named {
  metadata?: { namespace?: string; name?: string };
}

/** The namespace the views show: the selection, unless it no longer exists ('' = all). */
export function shownNamespace(cluster: ClusterState): string {
  return cluster.namespaces.names.includes(selection.namespace) ? selection.namespace : '';
}

/** The objects of one namespace ('' = every namespace), sorted by namespace then name. */
export function objectsIn<T extends Named>(items: ReadonlyMap<string, T>, namespace: string): T[] {
  const all = [...items.values()];
  const mine = namespace ? all.filter((o) => o.metadata?.namespace === namespace) : all;
  return mine.sort((a, b) => (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** kubectl's AGE of an object at `now`, or — when it has no creation time. */
export function objectAge(obj: { metadata?: { creationTimestamp?: string } }, now: number): string {
  const t = obj.metadata?.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? '—' : formatAge(now - t);
}
