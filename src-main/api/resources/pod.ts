// v1 Pod: defaults, validation, create strategy (what upstream's admission plugins add) and the
// `kubectl get pods` table.
import type { Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { FieldPath, type FieldError } from '../field-errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { defaultPodOnly, defaultPodSpec } from './podspec/defaults.ts';
import { dropNulls, isRecord, items } from './podspec/json.ts';
import { validatePodSpec } from './podspec/pod-spec.ts';
import { podCells, podColumns } from './podspec/pod-table.ts';
import { validatePodSpecUpdate } from './podspec/pod-update.ts';
import { podQOSClass } from './podspec/qos.ts';
import { admitServiceAccount } from './podspec/service-account-admission.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const asPod = (obj: KubeObject) => obj as unknown as Pod;

// The priority classes every cluster has (scheduling/v1's system classes).
const systemPriorities: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

// Added by the DefaultTolerationSeconds admission plugin: a pod waits 5 minutes on a node that
// went NotReady or unreachable before it is evicted.
const defaultTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function tolerates(list: Toleration[], taintKey: string): boolean {
  return list.some((t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === taintKey || (!t.key && t.operator === 'Exists')));
}

/** What upstream's admission chain adds to every new pod (Priority, DefaultTolerationSeconds). */
function admit(spec: PodSpec): void {
  if (spec.priority === undefined) spec.priority = (spec.priorityClassName && systemPriorities[spec.priorityClassName]) || 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  const tolerations = items<Toleration>(spec.tolerations).filter(isRecord);
  for (const t of defaultTolerations) if (!tolerates(tolerations, t.key!)) tolerations.push({ ...t });
  spec.tolerations = tolerations;
}

export const pod: ResourceDefinition = {
  group: '',
  kind: 'Pod',
  resource: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: { status: true },
  selectableFields: {
    'spec.nodeName': (o) => asPod(o).spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => asPod(o).spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => asPod(o).spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => asPod(o).spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(asPod(o).spec?.hostNetwork === true),
    'status.phase': (o) => asPod(o).status?.phase ?? '',
    'status.podIP': (o) => asPod(o).status?.podIPs?.[0]?.ip ?? asPod(o).status?.podIP ?? '',
    'status.nominatedNodeName': (o) => asPod(o).status?.nominatedNodeName ?? '',
  },

  defaults(obj) {
    dropNulls(obj.spec);
    const spec = asPod(obj).spec;
    if (!isRecord(spec)) return;
    defaultPodSpec(spec);
    defaultPodOnly(spec);
  },

  validate(obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    errs.push(...validatePodSpec(obj.spec, FieldPath.root('spec')));
    return errs;
  },

  validateUpdate(obj, old): FieldError[] {
    const spec = asPod(obj).spec;
    const oldSpec = asPod(old).spec;
    if (!spec || !oldSpec) return [];
    return validatePodSpecUpdate(spec, oldSpec, FieldPath.root('spec'));
  },

  async prepareForCreate(obj, ctx) {
    const p = asPod(obj);
    if (!isRecord(p.spec)) return;
    admit(p.spec);
    (p as { status?: Pod['status'] }).status = { phase: 'Pending', qosClass: podQOSClass(p.spec) };
    await admitServiceAccount(p.spec, obj.metadata.namespace ?? 'default', obj.metadata.annotations, ctx.serviceAccount);
  },

  prepareForUpdate(obj, old) {
    // The QoS class is fixed at creation; a status write cannot change it either.
    const oldQOS = asPod(old).status?.qosClass;
    const p = asPod(obj);
    if (oldQOS && isRecord(p.status)) p.status.qosClass = oldQOS;
  },

  table: {
    columns: podColumns,
    cells: (obj, now) => podCells(asPod(obj), now),
  },
};

