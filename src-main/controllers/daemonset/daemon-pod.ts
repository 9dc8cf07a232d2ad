// What makes a daemon pod (upstream's daemon/util): the template with the tolerations every
// daemon pod gets — it must survive the node problems that evict other pods, and land on nodes
// that are cordoned or under pressure — the controller-revision-hash label, and a required node
// affinity that names its node (metadata.name), so the default scheduler binds it there.
import type { Affinity, NodeSelectorTerm, Pod, PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import { cloneJSON } from '../../util/clone-json.ts';

export const controllerRevisionHashLabel = 'controller-revision-hash';
/** The deprecated template generation, labelled on pods when the DaemonSet carries its annotation. */
export const podTemplateGenerationLabel = 'pod-template-generation';
const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/** AddOrUpdateDaemonPodTolerations: no tolerationSeconds, so node problems never evict them. */
const daemonTolerations: readonly Toleration[] = [
  exists('node.kubernetes.io/not-ready', 'NoExecute'),
  exists('node.kubernetes.io/unreachable', 'NoExecute'),
  exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
  exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
  exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
  exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
];
const hostNetworkToleration = exists('node.kubernetes.io/network-unavailable', 'NoSchedule');

const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/** v1helper.AddOrUpdateTolerationInPodSpec for each daemon toleration: an equal one is replaced. */
export function addDaemonTolerations(spec: PodSpec): void {
  const tolerations = [...(spec.tolerations ?? [])];
  const wanted = spec.hostNetwork ? [...daemonTolerations, hostNetworkToleration] : daemonTolerations;
  for (const t of wanted) {
    const i = tolerations.findIndex((x) => sameToleration(x, t));
    if (i >= 0) tolerations[i] = { ...t };
    else tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
}

export function templateGeneration(ds: DaemonSet): string | undefined {
  const g = ds.metadata?.annotations?.[templateGenerationAnnotation];
  return g !== undefined && /^\d+$/.test(g) ? g : undefined;
}

/** CreatePodTemplate: the DaemonSet's template with daemon tolerations and revision labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = cloneJSON(ds.spec?.template ?? {});
  template.spec ??= { containers: [] };
  addDaemonTolerations(template.spec);
  const labels: Record<string, string> = { ...template.metadata?.labels, [controllerRevisionHashLabel]: hash };
  const generation = templateGeneration(ds);
  if (generation) labels[podTemplateGenerationLabel] = generation;
  template.metadata = { ...template.metadata, labels };
  return template;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become "this node, by name". */
export function withNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const terms: NodeSelectorTerm[] = [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }];
  return {
    ...affinity,
    nodeAffinity: { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
  };
}

/** GetTargetNodeName: where the pod runs, or is meant to run by its metadata.name affinity. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** IsPodUpdated: made from the current template (by generation or revision hash). */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  return (generation !== undefined && labels[podTemplateGenerationLabel] === generation) || (hash !== '' && labels[controllerRevisionHashLabel] === hash);
}

/** podByCreationTimestampAndPhase: bound before unbound, then oldest first, then by name. */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const boundA = !!a.spec?.nodeName;
  const boundB = !!b.spec?.nodeName;
  if (boundA !== boundB) return boundA ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}
