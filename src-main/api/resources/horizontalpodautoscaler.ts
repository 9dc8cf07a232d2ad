// autoscaling/v2 HorizontalPodAutoscaler (stored and preferred), also served as autoscaling/v1:
// v2 defaults (minReplicas 1, a CPU 80% metric, behavior filled in when given), validation
// after pkg/apis/autoscaling/validation, and the `kubectl get hpa` table.
import { FieldPath, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { isValidPathSegmentName } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { defaultCPUUtilization, hpaFromV1, hpaToV1 } from './shared-hpa-v1.ts';
import { ageColumn, ageOf, arrayAt, isRecord, nameColumn, nameOf, recordAt, stringAt } from './shared-meta.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

type Obj = Record<string, unknown>;

const metricTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const sourceField: Record<string, string> = { Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external' };
const targetTypes = ['AverageValue', 'Utilization', 'Value'];

/** GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: fill what a given rule leaves out. */
function defaultRules(rules: unknown, up: boolean): Obj {
  const r: Obj = isRecord(rules) ? rules : {};
  r.stabilizationWindowSeconds ??= up ? 0 : 300;
  r.selectPolicy ??= 'Max';
  if (arrayAt(r, 'policies').length === 0) {
    r.policies = up
      ? [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
  return r;
}

function defaultHPA(obj: KubeObject): void {
  const spec: Obj = isRecord(obj.spec) ? obj.spec : (obj.spec = {});
  spec.minReplicas ??= 1;
  if (arrayAt(spec, 'metrics').length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }];
  }
  // Behavior is left out when not given; when given, each direction gets its full rules.
  if (isRecord(spec.behavior)) {
    spec.behavior.scaleUp = defaultRules(spec.behavior.scaleUp, true);
    spec.behavior.scaleDown = defaultRules(spec.behavior.scaleDown, false);
  }
}

function validateTarget(target: unknown, path: FieldPath, utilizationAllowed: boolean): FieldError[] {
  if (!isRecord(target)) return [required(path)];
  const errs: FieldError[] = [];
  const type = target.type;
  if (!type) errs.push(required(path.child('type'), 'must specify a metric target type'));
  else if (!targetTypes.includes(String(type))) errs.push(notSupported(path.child('type'), type, targetTypes));
  if (type === 'Utilization') {
    if (!utilizationAllowed) errs.push(invalid(path.child('type'), type, 'must be Value or AverageValue for this metric'));
    const u = target.averageUtilization;
    if (u === undefined) errs.push(required(path.child('averageUtilization'), 'must set averageUtilization when type is Utilization'));
    else if (typeof u !== 'number' || u <= 0) errs.push(invalid(path.child('averageUtilization'), u, 'must be greater than 0'));
  }
  if (type === 'AverageValue' && target.averageValue === undefined) errs.push(required(path.child('averageValue'), 'must set averageValue when type is AverageValue'));
  if (type === 'Value' && target.value === undefined) errs.push(required(path.child('value'), 'must set value when type is Value'));
  return errs;
}

function validateMetric(m: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(m)) return [invalid(path, m, 'must be an object')];
  const type = m.type;
  if (!type) return [required(path.child('type'), 'must specify a metric source type')];
  if (!metricTypes.includes(String(type))) return [notSupported(path.child('type'), type, metricTypes)];
  const field = sourceField[String(type)];
  const source = recordAt(m, field);
  const p = path.child(field);
  if (!source) return [required(p, 'must populate information for the given metric source')];
  const errs: FieldError[] = [];
  if (type === 'Resource' || type === 'ContainerResource') {
    if (!source.name) errs.push(required(p.child('name'), 'must specify a resource name'));
    if (type === 'ContainerResource' && !source.container) errs.push(required(p.child('container'), 'must specify a container'));
    errs.push(...validateTarget(source.target, p.child('target'), true));
    if (recordAt(source, 'target')?.type === 'Value') errs.push(invalid(p.child('target').child('type'), 'Value', 'must be Utilization or AverageValue for resource metrics'));
    return errs;
  }
  if (!stringAt(recordAt(source, 'metric'), 'name')) errs.push(required(p.child('metric').child('name'), 'must specify a metric name'));
  if (type === 'Object') {
    const ref = recordAt(source, 'describedObject');
    if (!ref?.kind) errs.push(required(p.child('describedObject').child('kind')));
    if (!ref?.name) errs.push(required(p.child('describedObject').child('name')));
  }
  errs.push(...validateTarget(source.target, p.child('target'), false));
  return errs;
}

function validateRules(rules: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(rules)) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (typeof w === 'number' && (w < 0 || w > 3600)) errs.push(invalid(path.child('stabilizationWindowSeconds'), w, w < 0 ? 'must be greater than or equal to zero' : 'must be less than or equal to 3600'));
  const sp = rules.selectPolicy;
  if (sp !== undefined && !['Disabled', 'Max', 'Min'].includes(String(sp))) errs.push(notSupported(path.child('selectPolicy'), sp, ['Disabled', 'Max', 'Min']));
  const policies = arrayAt(rules, 'policies');
  if (rules.policies !== undefined && policies.length === 0) errs.push(required(path.child('policies'), 'must specify at least one Policy'));
  policies.forEach((pol, i) => {
    const p = path.child('policies').index(i);
    if (!isRecord(pol)) return;
    if (pol.type !== 'Pods' && pol.type !== 'Percent') errs.push(notSupported(p.child('type'), pol.type, ['Percent', 'Pods']));
    if (typeof pol.value !== 'number' || pol.value <= 0) errs.push(invalid(p.child('value'), pol.value, 'must be greater than zero'));
    const period = pol.periodSeconds;
    if (typeof period !== 'number' || period <= 0) errs.push(invalid(p.child('periodSeconds'), period, 'must be greater than zero'));
    else if (period > 1800) errs.push(invalid(p.child('periodSeconds'), period, 'must be less than or equal to 1800'));
  });
  return errs;
}

function validateHPA(obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
  const path = FieldPath.root('spec');
  const spec = recordAt(obj, 'spec') ?? {};
  const min = spec.minReplicas;
  const max = spec.maxReplicas;
  if (min !== undefined && (typeof min !== 'number' || min < 1)) errs.push(invalid(path.child('minReplicas'), min, 'must be greater than or equal to 1'));
  if (typeof max !== 'number' || max < 1) errs.push(invalid(path.child('maxReplicas'), max ?? 0, 'must be greater than 0'));
  else if (typeof min === 'number' && max < min) errs.push(invalid(path.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  const ref = recordAt(spec, 'scaleTargetRef') ?? {};
  const refPath = path.child('scaleTargetRef');
  for (const key of ['kind', 'name']) {
    const v = ref[key];
    if (!v) errs.push(required(refPath.child(key)));
    else errs.push(...isValidPathSegmentName(String(v)).map((m) => invalid(refPath.child(key), v, m)));
  }
  arrayAt(spec, 'metrics').forEach((m, i) => errs.push(...validateMetric(m, path.child('metrics').index(i))));
  const behavior = recordAt(spec, 'behavior');
  errs.push(...validateRules(behavior?.scaleUp, path.child('behavior').child('scaleUp')));
  errs.push(...validateRules(behavior?.scaleDown, path.child('behavior').child('scaleDown')));
  return errs;
}

// ---- table (printHorizontalPodAutoscaler / formatHPAMetrics) ----

const q = (v: unknown): string => (v === undefined || v === null ? '<unknown>' : String(v));

function metricCell(spec: Obj, status: Obj | undefined): string {
  const field = sourceField[String(spec.type)];
  if (!field) return '<unknown type>';
  const source = recordAt(spec, field) ?? {};
  const target = recordAt(source, 'target') ?? {};
  const current = recordAt(recordAt(status, field), 'current');
  if (spec.type === 'Resource' || spec.type === 'ContainerResource') {
    const name = String(source.name ?? '');
    if (target.averageValue !== undefined) return `${name}: ${q(current?.averageValue)}/${String(target.averageValue)}`;
    const now = typeof current?.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
    const want = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
    return `${name}: ${now}/${want}`;
  }
  if (spec.type === 'Pods') return `${q(current?.averageValue)}/${String(target.averageValue)}`;
  if (target.averageValue !== undefined) return `${q(current?.averageValue)}/${String(target.averageValue)} (avg)`;
  return `${q(current?.value)}/${String(target.value)}`;
}

export function formatHPAMetrics(obj: KubeObject): string {
  const specs = arrayAt(recordAt(obj, 'spec'), 'metrics').filter(isRecord);
  if (specs.length === 0) return '<none>';
  const statuses = arrayAt(recordAt(obj, 'status'), 'currentMetrics');
  const list = specs.map((s, i) => metricCell(s, isRecord(statuses[i]) ? statuses[i] : undefined));
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

export const horizontalPodAutoscaler: ResourceDefinition = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v2' }, { version: 'v1', fromStorage: hpaToV1, toStorage: hpaFromV1 }],
  subresources: { status: true },

  defaults: defaultHPA,
  validate: validateHPA,

  table: {
    columns: [
      nameColumn,
      { name: 'Reference', type: 'string', description: 'The workload the autoscaler scales, as Kind/name.', priority: 0 },
      { name: 'Targets', type: 'string', description: 'Current and target values of the metrics.', priority: 0 },
      { name: 'MinPods', type: 'string', description: 'The lower limit of replicas.', priority: 0 },
      { name: 'MaxPods', type: 'string', description: 'The upper limit of replicas.', priority: 0 },
      { name: 'Replicas', type: 'string', description: 'The current number of replicas.', priority: 0 },
      ageColumn,
    ],
    cells(obj, now) {
      const spec = recordAt(obj, 'spec');
      const ref = recordAt(spec, 'scaleTargetRef');
      const min = spec?.minReplicas;
      return [
        nameOf(obj),
        `${stringAt(ref, 'kind') ?? ''}/${stringAt(ref, 'name') ?? ''}`,
        formatHPAMetrics(obj),
        typeof min === 'number' ? String(min) : '<unset>',
        typeof spec?.maxReplicas === 'number' ? spec.maxReplicas : 0,
        (recordAt(obj, 'status')?.currentReplicas as number | undefined) ?? 0,
        ageOf(obj, now),
      ];
    },
  },
};
