// A pod as the scheduler reads it, parsed once per version (framework.PodInfo): its requests,
// host ports, priority, the controller whose replicas spread together, and its pod (anti-)affinity
// terms with their namespaces resolved. Plugins and the cache work on these, never re-parsing the
// pod for every node.
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1';
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1';
import { matchesSelector } from '../client/label-selector.ts';
import { podRequests, type Resources } from './resources.ts';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A PodAffinityTerm with its namespaces and selector resolved (framework.AffinityTerm). */
export interface AffinityTerm {
  /** Explicit namespaces; the pod's own namespace when neither these nor a selector is given. */
  namespaces: ReadonlySet<string>;
  /** undefined: no namespace selector (matches no namespace by labels). */
  namespaceSelector?: LabelSelector;
  selector: LabelSelector | undefined;
  topologyKey: string;
  weight: number;
}

export interface PodInfo {
  key: string;
  uid: string;
  namespace: string;
  name: string;
  pod: Pod;
  labels: Readonly<Record<string, string>>;
  priority: number;
  requests: Resources;
  nonZeroRequests: Resources;
  hostPorts: HostPort[];
  /** The uid of the ReplicaSet, ReplicationController or StatefulSet that controls the pod. */
  spreadOwner?: string;
  terminating: boolean;
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

// Upstream's DefaultSelector spreads the pods of these controllers (and of Services).
const spreadingKinds = new Set(['ReplicaSet', 'ReplicationController', 'StatefulSet']);

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** matchLabelKeys / mismatchLabelKeys: the incoming pod's own label values joined to the selector. */
function withLabelKeys(term: PodAffinityTerm, labels: Readonly<Record<string, string>>): LabelSelector | undefined {
  const extra: LabelSelectorRequirement[] = [];
  for (const key of term.matchLabelKeys ?? []) if (key in labels) extra.push({ key, operator: 'In', values: [labels[key]] });
  for (const key of term.mismatchLabelKeys ?? []) if (key in labels) extra.push({ key, operator: 'NotIn', values: [labels[key]] });
  if (extra.length === 0 || !term.labelSelector) return term.labelSelector;
  return { ...term.labelSelector, matchExpressions: [...(term.labelSelector.matchExpressions ?? []), ...extra] };
}

function affinityTerm(pod: Pod, term: PodAffinityTerm, weight: number): AffinityTerm {
  const own = pod.metadata?.namespace ?? '';
  const explicit = term.namespaces ?? [];
  const namespaces = new Set(explicit.length === 0 && !term.namespaceSelector ? [own] : explicit);
  return {
    namespaces,
    namespaceSelector: term.namespaceSelector,
    selector: withLabelKeys(term, pod.metadata?.labels ?? {}),
    topologyKey: term.topologyKey,
    weight,
  };
}

const weighted = (pod: Pod, terms: readonly WeightedPodAffinityTerm[] | undefined): AffinityTerm[] =>
  (terms ?? []).map((t) => affinityTerm(pod, t.podAffinityTerm, t.weight));

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const all = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
  for (const c of all) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function newPodInfo(pod: Pod): PodInfo {
  const affinity = pod.spec?.affinity;
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  return {
    key: podKey(pod),
    uid: pod.metadata?.uid ?? '',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    pod,
    labels: pod.metadata?.labels ?? {},
    priority: pod.spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    hostPorts: hostPortsOf(pod),
    spreadOwner: owner && spreadingKinds.has(owner.kind) ? owner.uid : undefined,
    terminating: !!pod.metadata?.deletionTimestamp,
    requiredAffinity: (affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t, 1)),
    requiredAntiAffinity: (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t, 1)),
    preferredAffinity: weighted(pod, affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(pod, affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
}

export function hasPodAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

/** Namespace labels by name, for terms with a namespaceSelector. */
export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

/** Whether the term selects pod: by namespace (listed, or by the selector) and by labels. */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: NamespaceLabels): boolean {
  if (!term.namespaces.has(pod.namespace)) {
    if (!term.namespaceSelector || !matchesSelector(term.namespaceSelector, nsLabels(pod.namespace))) return false;
  }
  return matchesSelector(term.selector, pod.labels);
}
