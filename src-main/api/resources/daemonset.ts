// apps/v1 DaemonSet: defaults (SetDefaults_DaemonSet), validation (ValidateDaemonSetSpec), the
// immutable selector, and the `kubectl get daemonsets` table.
import type { DaemonSet, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import { FieldPath, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { age } from '../printing/age.ts';
import { formatLabels, formatLabelSelector } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
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

const asDaemonSet = (obj: KubeObject) => obj as unknown as DaemonSet;

function validateUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined, path: FieldPath): FieldError[] {
  if (!isRecord(strategy)) return [required(path)];
  switch (strategy.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      const ruPath = path.child('rollingUpdate');
      if (!isRecord(ru)) return [required(ruPath)];
      const errs = [...validateIntOrPercent(ru.maxUnavailable, ruPath.child('maxUnavailable')), ...validateIntOrPercent(ru.maxSurge, ruPath.child('maxSurge'))];
      const unavailable = intOrPercentValue(ru.maxUnavailable);
      const surge = intOrPercentValue(ru.maxSurge);
      if (unavailable === 0 && surge === 0) errs.push(invalid(ruPath.child('maxUnavailable'), ru.maxUnavailable, 'cannot be 0 when maxSurge is 0'));
      // A daemon pod either goes away before its replacement starts, or after: not both.
      if (unavailable > 0 && surge > 0) {
        errs.push(invalid(ruPath.child('maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      }
      errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, ruPath.child('maxUnavailable')));
      errs.push(...validateNotMoreThan100Percent(ru.maxSurge, ruPath.child('maxSurge')));
      return errs;
    }
    default:
      return [notSupported(path, strategy.type, ['RollingUpdate', 'OnDelete'])];
  }
}

export const daemonSet: ResourceDefinition = {
  group: 'apps',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: { status: true },

  defaults(obj) {
    dropNulls(obj.spec);
    const spec = asDaemonSet(obj).spec;
    if (!isRecord(spec)) return;
    const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : (spec.updateStrategy = {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
      ru.maxUnavailable ??= 1;
      ru.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultPodTemplate(spec.template);
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const spec = asDaemonSet(obj).spec;
    const path = FieldPath.root('spec');
    if (!isRecord(spec)) return [...errs, required(path)];
    errs.push(...validateSelectorAndTemplate(spec, path, 'daemonset', 'DaemonSet'));
    errs.push(...validateNonNegative(spec.minReadySeconds, path.child('minReadySeconds')));
    errs.push(...validateNonNegative(spec.revisionHistoryLimit, path.child('revisionHistoryLimit')));
    errs.push(...validateUpdateStrategy(spec.updateStrategy, path.child('updateStrategy')));
    return errs;
  },

  validateUpdate: validateSelectorUnchanged,

  table: {
    columns: [
      { ...nameColumn },
      { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', priority: 0 },
      { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', priority: 0 },
      { name: 'Ready', type: 'integer', description: 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', priority: 0 },
      { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod', priority: 0 },
      { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', priority: 0 },
      { name: 'Node Selector', type: 'string', description: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.", priority: 0 },
      { ...ageColumn },
      ...templateColumns.map((c) => ({ ...c })),
      { name: 'Selector', type: 'string', description: 'A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels.', priority: 1 },
    ],
    cells(obj, now) {
      const ds = asDaemonSet(obj);
      const s = ds.status;
      const [names, images] = containerCells(ds.spec?.template);
      return [
        ds.metadata?.name ?? '',
        s?.desiredNumberScheduled ?? 0,
        s?.currentNumberScheduled ?? 0,
        s?.numberReady ?? 0,
        s?.updatedNumberScheduled ?? 0,
        s?.numberAvailable ?? 0,
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        age(ds.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ];
    },
  },
};
