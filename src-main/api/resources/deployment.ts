// apps/v1 Deployment: defaults (apps/v1 SetDefaults_Deployment), validation
// (ValidateDeploymentSpec), the immutable selector, and the `kubectl get deployments` table.
import type { Deployment, DeploymentSpec, DeploymentStrategy } from 'kubernetes-types/apps/v1.js';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { formatLabelSelector } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { age } from '../printing/age.ts';
import { defaultPodTemplate } from './podspec/defaults.ts';
import { dropNulls, isRecord } from './podspec/json.ts';
import {
  ageColumn,
  containerCells,
  intOrPercentValue,
  nameColumn,
  templateColumns,
  validateIntOrPercent,
  validateNonNegative,
  validateNotMoreThan100Percent,
  validateSelectorAndTemplate,
  validateSelectorUnchanged,
} from './podspec/workload.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const asDeployment = (obj: KubeObject) => obj as unknown as Deployment;

function validateStrategy(strategy: DeploymentStrategy | undefined, path: FieldPath): FieldError[] {
  if (!isRecord(strategy)) return [required(path.child('type'))];
  const errs: FieldError[] = [];
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
        errs.push(forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!isRecord(ru)) {
        errs.push(required(path.child('rollingUpdate'), 'this should be defaulted and never be nil'));
        break;
      }
      const ruPath = path.child('rollingUpdate');
      errs.push(...validateIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      errs.push(...validateIntOrPercent(ru.maxSurge, ruPath.child('maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(ruPath.child('maxUnavailable'), ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      break;
    }
    default:
      errs.push(notSupported(path, strategy.type, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

function validateSpec(spec: DeploymentSpec | undefined, path: FieldPath): FieldError[] {
  if (!isRecord(spec)) return [required(path)];
  const errs: FieldError[] = [];
  errs.push(...validateNonNegative(spec.replicas, path.child('replicas')));
  errs.push(...validateSelectorAndTemplate(spec, path, 'deployment', 'ReplicaSet'));
  errs.push(...validateStrategy(spec.strategy, path.child('strategy')));
  errs.push(...validateNonNegative(spec.minReadySeconds, path.child('minReadySeconds')));
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...validateNonNegative(spec.progressDeadlineSeconds, path.child('progressDeadlineSeconds')));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid(path.child('progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const deployment: ResourceDefinition = {
  group: 'apps',
  kind: 'Deployment',
  resource: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: {
    status: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' },
  },

  defaults(obj) {
    dropNulls(obj.spec);
    const spec = asDeployment(obj).spec;
    if (!isRecord(spec)) return;
    spec.replicas ??= 1;
    const strategy = isRecord(spec.strategy) ? spec.strategy : (spec.strategy = {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
      ru.maxUnavailable ??= '25%';
      ru.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultPodTemplate(spec.template);
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    errs.push(...validateSpec(asDeployment(obj).spec, FieldPath.root('spec')));
    return errs;
  },

  validateUpdate: validateSelectorUnchanged,

  table: {
    columns: [
      { ...nameColumn },
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', priority: 0 },
      { name: 'Up-to-date', type: 'integer', description: 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.', priority: 0 },
      { name: 'Available', type: 'integer', description: 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.', priority: 0 },
      { ...ageColumn },
      ...templateColumns.map((c) => ({ ...c })),
      { name: 'Selector', type: 'string', description: 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.', priority: 1 },
    ],
    cells(obj, now) {
      const d = asDeployment(obj);
      const [names, images] = containerCells(d.spec?.template);
      return [
        d.metadata?.name ?? '',
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(d.spec?.selector),
      ];
    },
  },
};
