// apps/v1 ReplicaSet: replicas default to 1, selector and template validated as upstream's
// ValidateReplicaSetSpec, selector immutable, and the `kubectl get rs` table.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { FieldPath, required } from '../field-errors.ts';
import { formatLabelSelector } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { age } from '../printing/age.ts';
import { defaultPodTemplate } from './podspec/defaults.ts';
import { dropNulls, isRecord } from './podspec/json.ts';
import { ageColumn, containerCells, nameColumn, templateColumns, validateNonNegative, validateSelectorAndTemplate, validateSelectorUnchanged } from './podspec/workload.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const asReplicaSet = (obj: KubeObject) => obj as unknown as ReplicaSet;

export const replicaSet: ResourceDefinition = {
  group: 'apps',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: {
    status: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' },
  },
  selectableFields: {
    'status.replicas': (o) => String(asReplicaSet(o).status?.replicas ?? 0),
  },

  defaults(obj) {
    dropNulls(obj.spec);
    const spec = asReplicaSet(obj).spec;
    if (!isRecord(spec)) return;
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const spec = asReplicaSet(obj).spec;
    const path = FieldPath.root('spec');
    if (!isRecord(spec)) return [...errs, required(path)];
    errs.push(...validateNonNegative(spec.replicas, path.child('replicas')));
    errs.push(...validateNonNegative(spec.minReadySeconds, path.child('minReadySeconds')));
    errs.push(...validateSelectorAndTemplate(spec, path, 'deployment', 'ReplicaSet'));
    return errs;
  },

  validateUpdate: validateSelectorUnchanged,

  table: {
    columns: [
      { ...nameColumn },
      { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.', priority: 0 },
      { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of non-terminating pods.', priority: 0 },
      { name: 'Ready', type: 'integer', description: 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.', priority: 0 },
      { ...ageColumn },
      ...templateColumns.map((c) => ({ ...c })),
      { name: 'Selector', type: 'string', description: 'Selector is a label query over pods that should match the replica count.', priority: 1 },
    ],
    cells(obj, now) {
      const rs = asReplicaSet(obj);
      const [names, images] = containerCells(rs.spec?.template);
      return [
        rs.metadata?.name ?? '',
        rs.spec?.replicas ?? 0,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec?.selector),
      ];
    },
  },
};
