// batch/v1 Job: defaults (batch/v1 SetDefaults_Job), the generated selector and labels of the job
// strategy, validation, update rules and the `kubectl get jobs` table.
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { FieldPath, invalid, required, type FieldError } from '../field-errors.ts';
import { age, humanDuration } from '../printing/age.ts';
import { formatLabelSelector, selectorMatches } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateObjectMeta } from '../validation/object-meta.ts';
import { defaultPodTemplate } from './podspec/defaults.ts';
import { validateJobSpec } from './podspec/job-spec.ts';
import { dropNulls, isRecord, items, jsonEqual } from './podspec/json.ts';
import { ageColumn, containerCells, nameColumn, templateColumns } from './podspec/workload.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const asJob = (obj: KubeObject) => obj as unknown as Job;

export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
const legacyControllerUidLabel = 'controller-uid';
const legacyJobNameLabel = 'job-name';

/** SetDefaults_Job, less the labels copy, which needs the generated labels (prepareForCreate). */
export function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  for (const rule of items<{ onPodConditions?: { status?: string }[] }>(spec.podFailurePolicy?.rules)) {
    for (const c of items<{ status?: string }>(rule?.onPodConditions)) if (isRecord(c)) c.status ||= 'True';
  }
  defaultPodTemplate(spec.template);
}

/**
 * Upstream's generateSelector: the pods of a job carry its uid and name as labels, and the job
 * selects them by uid, so that two jobs with the same labels never adopt each other's pods.
 */
function generateSelector(job: Job): void {
  const spec = job.spec!;
  const template = (isRecord(spec.template) ? spec.template : (spec.template = {} as PodTemplateSpec)) as PodTemplateSpec;
  const meta = isRecord(template.metadata) ? template.metadata : (template.metadata = {});
  const labels = isRecord(meta.labels) ? meta.labels : (meta.labels = {});
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  for (const key of [legacyJobNameLabel, jobNameLabel]) labels[key] ??= name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) labels[key] ??= uid;
  const selector = isRecord(spec.selector) ? spec.selector : (spec.selector = {});
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : (selector.matchLabels = {});
  matchLabels[controllerUidLabel] ??= uid;
}

/** validateGeneratedSelector: a generated selector must still select exactly this job's pods. */
function validateGeneratedSelector(job: Job): FieldError[] {
  const spec = job.spec;
  if (!isRecord(spec) || spec.manualSelector === true) return [];
  const metaPath = FieldPath.root('spec').child('template').child('metadata');
  const labels = spec.template?.metadata?.labels;
  if (!isRecord(labels)) return [required(metaPath.child('labels'))];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  const expected: Record<string, string> = {
    [legacyControllerUidLabel]: uid,
    [legacyJobNameLabel]: name,
    [controllerUidLabel]: uid,
    [jobNameLabel]: name,
  };
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(expected)) {
    if (labels[key] === undefined) errs.push(required(metaPath.child('labels'), `must be '${value}'`));
    else if (labels[key] !== value) errs.push(invalid(metaPath.child('labels').key(key), labels[key], `must be '${value}'`));
  }
  if (isRecord(spec.selector) && !selectorMatches(spec.selector, expected)) {
    errs.push(invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  }
  return errs;
}

/** Template changes a suspended job that never started may take (mutable scheduling directives). */
function schedulingOnly(template: PodTemplateSpec | undefined): unknown {
  if (!isRecord(template)) return template;
  const spec = isRecord(template.spec) ? { ...template.spec } : undefined;
  if (spec) for (const k of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates'] as const) delete spec[k];
  const metadata = isRecord(template.metadata) ? { ...template.metadata, labels: undefined, annotations: undefined } : undefined;
  return { ...template, metadata, spec };
}

function jobStatus(job: Job): string {
  const has = (type: string) => items<{ type: string; status: string }>(job.status?.conditions).some((c) => c?.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  if (has('FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const job: ResourceDefinition = {
  group: 'batch',
  kind: 'Job',
  resource: 'jobs',
  singular: 'job',
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: { status: true },
  selectableFields: {
    'status.successful': (o) => String(asJob(o).status?.succeeded ?? 0),
  },

  defaults(obj) {
    dropNulls(obj.spec);
    const spec = asJob(obj).spec;
    if (isRecord(spec)) defaultJobSpec(spec);
  },

  prepareForCreate(obj) {
    const j = asJob(obj);
    if (!isRecord(j.spec)) return;
    if (j.spec.manualSelector !== true) generateSelector(j);
    // SetDefaults_Job gives a job without labels its pods' labels (seen on reads upstream).
    const templateLabels = j.spec.template?.metadata?.labels;
    if (isRecord(templateLabels) && Object.keys(j.metadata?.labels ?? {}).length === 0) obj.metadata.labels = { ...templateLabels };
  },

  validate(obj) {
    const j = asJob(obj);
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    errs.push(...validateGeneratedSelector(j));
    errs.push(...validateJobSpec(j.spec, FieldPath.root('spec')));
    return errs;
  },

  validateUpdate(obj, old) {
    const spec = asJob(obj).spec;
    const oldSpec = asJob(old).spec;
    if (!isRecord(spec) || !isRecord(oldSpec)) return [];
    const errs: FieldError[] = [];
    if (!jsonEqual(spec.selector, oldSpec.selector)) errs.push(invalid('spec.selector', spec.selector, 'field is immutable'));
    const neverStarted = oldSpec.suspend === true && !asJob(old).status?.startTime;
    const same = neverStarted ? jsonEqual(schedulingOnly(spec.template), schedulingOnly(oldSpec.template)) : jsonEqual(spec.template, oldSpec.template);
    if (!same) errs.push(invalid('spec.template', spec.template, 'field is immutable'));
    // Only an Indexed job with completions == parallelism may be scaled (elastic indexed jobs).
    const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && oldSpec.completions === oldSpec.parallelism;
    if (spec.completions !== oldSpec.completions && !elastic) errs.push(invalid('spec.completions', spec.completions, 'field is immutable'));
    if (spec.completionMode !== oldSpec.completionMode) errs.push(invalid('spec.completionMode', spec.completionMode, 'field is immutable'));
    if (!jsonEqual(spec.podFailurePolicy, oldSpec.podFailurePolicy)) errs.push(invalid('spec.podFailurePolicy', spec.podFailurePolicy, 'field is immutable'));
    if (spec.backoffLimitPerIndex !== oldSpec.backoffLimitPerIndex) errs.push(invalid('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, 'field is immutable'));
    return errs;
  },

  table: {
    columns: [
      { ...nameColumn },
      { name: 'Status', type: 'string', description: 'Status of the job.', priority: 0 },
      { name: 'Completions', type: 'string', description: 'The number of pods which reached phase Succeeded.', priority: 0 },
      { name: 'Duration', type: 'string', description: 'Time required to complete the job.', priority: 0 },
      { ...ageColumn },
      ...templateColumns.map((c) => ({ ...c })),
      { name: 'Selector', type: 'string', description: 'A label query over pods that should match the pod count.', priority: 1 },
    ],
    cells(obj, now) {
      const j = asJob(obj);
      const succeeded = j.status?.succeeded ?? 0;
      let completions: string;
      if (j.spec?.completions != null) completions = `${succeeded}/${j.spec.completions}`;
      else completions = (j.spec?.parallelism ?? 0) > 1 ? `${succeeded}/1 of ${j.spec!.parallelism}` : `${succeeded}/1`;
      const start = j.status?.startTime ? Date.parse(j.status.startTime) : undefined;
      const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now.getTime();
      const duration = start === undefined ? '' : humanDuration(end - start);
      const [names, images] = containerCells(j.spec?.template);
      return [j.metadata?.name ?? '', jobStatus(j), completions, duration, age(j.metadata?.creationTimestamp, now), names, images, formatLabelSelector(j.spec?.selector)];
    },
  },
};
