// core/v1 Events as the Events view lists them: when they were last seen (whichever of the old
// and new time fields the reporter filled), newest first, and filtered as the user asked.
import type { Event } from 'kubernetes-types/core/v1';
import type { KindName } from '../../../src-main/bridge/protocol.ts';
import { href } from '../../lib/router.svelte.ts';

export interface EventFilter {
  namespace: string;
  warningsOnly: boolean;
  text: string;
}

function time(value: string | undefined): number | undefined {
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** When the event last happened: lastTimestamp, a series' last observation, eventTime, or creation. */
export function lastSeen(e: Event): number {
  return time(e.lastTimestamp) ?? time(e.series?.lastObservedTime) ?? time(e.eventTime) ?? time(e.metadata?.creationTimestamp) ?? 0;
}

export function firstSeen(e: Event): number {
  return time(e.firstTimestamp) ?? time(e.eventTime) ?? time(e.metadata?.creationTimestamp) ?? lastSeen(e);
}

/** How many times it happened: the old count, or a series' count. */
export function eventCount(e: Event): number {
  return e.series?.count ?? e.count ?? 1;
}

/** Who reported it: "kubelet, node-1", "deployment-controller". */
export function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || '';
  return [component, host].filter(Boolean).join(', ');
}

function matches(e: Event, f: EventFilter): boolean {
  if (f.namespace && e.metadata?.namespace !== f.namespace) return false;
  if (f.warningsOnly && e.type !== 'Warning') return false;
  if (!f.text) return true;
  const needle = f.text.toLowerCase();
  const o = e.involvedObject;
  return [e.reason, e.message, o?.kind, o?.name, o?.namespace, eventSource(e)].some((s) => s?.toLowerCase().includes(needle));
}

/** The events that pass the filter, newest first (then by name, so equal times keep a stable order). */
export function eventRows(events: Iterable<Event>, f: EventFilter): Event[] {
  return [...events]
    .filter((e) => matches(e, f))
    .map((e) => ({ e, t: lastSeen(e) }))
    .sort((a, b) => b.t - a.t || (a.e.metadata?.name ?? '').localeCompare(b.e.metadata?.name ?? ''))
    .map(({ e }) => e);
}

// The cached kinds an event can be about, by the Kind it names.
const RESOURCE_OF_KIND: Record<string, KindName> = {
  Pod: 'pods', Node: 'nodes', Deployment: 'deployments', ReplicaSet: 'replicasets', DaemonSet: 'daemonsets',
  StatefulSet: 'statefulsets', Job: 'jobs', CronJob: 'cronjobs', Service: 'services', Endpoints: 'endpoints',
  ConfigMap: 'configmaps', Secret: 'secrets', ServiceAccount: 'serviceaccounts', PersistentVolumeClaim: 'persistentvolumeclaims',
  Namespace: 'namespaces', Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings',
};

/** Where the event's object can be looked at: its own view when one shows it, else the editor. */
export function involvedObjectHref(e: Event): string | undefined {
  const { kind = '', namespace, name } = e.involvedObject ?? {};
  const resource = RESOURCE_OF_KIND[kind];
  if (!resource || !name) return undefined;
  switch (resource) {
    case 'services': return href('services', { namespace, name });
    case 'configmaps': return href('config', { namespace, name });
    case 'secrets': return href('config', { tab: 'secrets', namespace, name });
    case 'namespaces': return href('namespaces', { name });
    default: return href('editor', { kind: resource, namespace, name });
  }
}
