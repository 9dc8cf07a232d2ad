// batch/v1 CronJob: defaults (SetDefaults_CronJob), schedule and time zone validation, the job
// template's checks, and the `kubectl get cronjobs` table.
import type { CronJob, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import { FieldPath, invalid, notSupported, required, type FieldError } from '../field-errors.ts';
import { age } from '../printing/age.ts';
import { isKnownTimeZone, parseCron } from '../../util/cron.ts';
import { formatLabelSelector, validateLabelSelector } from '../validation/label-selector.ts';
import { nameIsDNSSubdomain, validateAnnotations, validateLabels, validateObjectMeta } from '../validation/object-meta.ts';
import { defaultPodTemplate } from './podspec/defaults.ts';
import { validateJobSpecCommon } from './podspec/job-spec.ts';
import { dropNulls, isRecord, items } from './podspec/json.ts';
import { ageColumn, containerCells, nameColumn, templateColumns, validateNonNegative } from './podspec/workload.ts';
import type { KubeObject, ResourceDefinition } from './types.ts';

const asCronJob = (obj: KubeObject) => obj as unknown as CronJob;

// Jobs are named <cronjob>-<minutes since epoch> (11 chars with the dash) and must fit 63.
const maxCronJobNameLength = 52;
const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];

export function validateSchedule(schedule: unknown, timeZone: string | undefined | null, path: FieldPath): FieldError[] {
  if (schedule === undefined || schedule === null || schedule === '') return [required(path)];
  if (typeof schedule !== 'string') return [invalid(path, schedule, 'must be a string')];
  const errs: FieldError[] = [];
  try {
    parseCron(schedule);
  } catch (e) {
    errs.push(invalid(path, schedule, (e as Error).message));
  }
  if (schedule.includes('TZ')) errs.push(invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return errs;
}

export function validateTimeZone(timeZone: unknown, path: FieldPath): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  if (typeof timeZone !== 'string' || timeZone === '') return [invalid(path, timeZone, 'timeZone must be nil or non-empty string')];
  if (timeZone.toLowerCase() === 'local') return [invalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  // Go's LoadLocation refuses abbreviations and offsets that Intl would accept.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone) || !isKnownTimeZone(timeZone)) return [invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  return [];
}

function validateJobTemplate(template: JobTemplateSpec | undefined, path: FieldPath): FieldError[] {
  if (!isRecord(template)) return [required(path)];
  const errs: FieldError[] = [];
  const meta = isRecord(template.metadata) ? template.metadata : {};
  errs.push(...validateLabels(meta.labels, path.child('metadata').child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('metadata').child('annotations')));
  const spec = template.spec;
  const specPath = path.child('spec');
  if (!isRecord(spec)) return [...errs, required(specPath)];
  // The CronJob controller's jobs generate their own selectors; a manual one is refused.
  if (spec.manualSelector === true) errs.push(notSupported(specPath.child('manualSelector'), true, ['nil', 'false']));
  if (spec.selector != null) errs.push(...validateLabelSelector(spec.selector, specPath.child('selector')));
  errs.push(...validateJobSpecCommon(spec, specPath));
  return errs;
}

export const cronJob: ResourceDefinition = {
  group: 'batch',
  kind: 'CronJob',
  resource: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  versions: [{ version: 'v1' }],
  subresources: { status: true },

  defaults(obj) {
    dropNulls(obj.spec);
    const spec = asCronJob(obj).spec;
    if (!isRecord(spec)) return;
    spec.concurrencyPolicy ||= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    // Job defaults apply to Job objects only; the template's pod spec is defaulted as any template.
    if (isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec)) defaultPodTemplate(spec.jobTemplate.spec.template);
  },

  validate(obj) {
    const errs = validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
    const name = obj.metadata?.name;
    if (typeof name === 'string' && name.length > maxCronJobNameLength) {
      errs.push(invalid('metadata.name', name, `must be no more than ${maxCronJobNameLength} characters`));
    }
    const spec = asCronJob(obj).spec;
    const path = FieldPath.root('spec');
    if (!isRecord(spec)) return [...errs, required(path)];
    errs.push(...validateSchedule(spec.schedule, spec.timeZone, path.child('schedule')));
    errs.push(...validateTimeZone(spec.timeZone, path.child('timeZone')));
    if (!spec.concurrencyPolicy) errs.push(required(path.child('concurrencyPolicy')));
    else if (!concurrencyPolicies.includes(spec.concurrencyPolicy)) errs.push(notSupported(path.child('concurrencyPolicy'), spec.concurrencyPolicy, concurrencyPolicies));
    errs.push(...validateNonNegative(spec.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
    errs.push(...validateNonNegative(spec.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
    errs.push(...validateNonNegative(spec.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
    errs.push(...validateJobTemplate(spec.jobTemplate, path.child('jobTemplate')));
    return errs;
  },

  table: {
    columns: [
      { ...nameColumn },
      { name: 'Schedule', type: 'string', description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', priority: 0 },
      { name: 'Timezone', type: 'string', description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.', priority: 0 },
      { name: 'Suspend', type: 'boolean', description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.', priority: 0 },
      { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', priority: 0 },
      { name: 'Last Schedule', type: 'string', description: 'Information when was the last time the job was successfully scheduled.', priority: 0 },
      { ...ageColumn },
      ...templateColumns.map((c) => ({ ...c })),
      { name: 'Selector', type: 'string', description: 'A label query over pods that should match the pod count.', priority: 1 },
    ],
    cells(obj, now) {
      const cj = asCronJob(obj);
      const suspend = cj.spec?.suspend;
      const [names, images] = containerCells(cj.spec?.jobTemplate?.spec?.template);
      return [
        cj.metadata?.name ?? '',
        cj.spec?.schedule ?? '',
        cj.spec?.timeZone ?? '<none>',
        suspend === undefined || suspend === null ? '<unset>' : suspend ? 'True' : 'False',
        items(cj.status?.active).length,
        cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>',
        age(cj.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
      ];
    },
  },
};
