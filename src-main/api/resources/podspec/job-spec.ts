// A Job's spec (validateJobSpec), shared by Jobs and CronJobs' jobTemplate: counts, completion
// mode, replacement policy, and a pod template whose pods restart OnFailure or Never.
import type { JobSpec } from 'kubernetes-types/batch/v1.js';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../../field-errors.ts';
import { selectorMatches, validateLabelSelector } from '../../validation/label-selector.ts';
import { isRecord } from './json.ts';
import { validatePodTemplateSpec } from './pod-spec.ts';
import { validateNonNegative } from './workload.ts';

const completionModes = ['NonIndexed', 'Indexed'];
const maxIndexedCount = 100000;

/** Everything but the selector, which Jobs require and job templates leave to the CronJob controller. */
export function validateJobSpecCommon(spec: JobSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    errs.push(...validateNonNegative(spec[f], path.child(f)));
  }
  if (spec.activeDeadlineSeconds === 0) errs.push(invalid(path.child('activeDeadlineSeconds'), 0, 'must be greater than 0'));
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null && !completionModes.includes(mode)) errs.push(notSupported(path.child('completionMode'), mode, completionModes));
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) errs.push(required(path.child('completions'), 'when completion mode is Indexed'));
    else if (spec.completions > maxIndexedCount) errs.push(invalid(path.child('completions'), spec.completions, `must be less than or equal to ${maxIndexedCount} when completion mode is Indexed`));
    if ((spec.parallelism ?? 0) > maxIndexedCount) errs.push(invalid(path.child('parallelism'), spec.parallelism, `must be less than or equal to ${maxIndexedCount} when completion mode is Indexed`));
  } else {
    if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null) {
      errs.push(forbidden(path.child('backoffLimitPerIndex'), 'requires indexed completion mode'));
    }
    if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null) errs.push(forbidden(path.child('maxFailedIndexes'), 'requires indexed completion mode'));
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined && replacement !== null) {
    const allowed = spec.podFailurePolicy ? ['Failed'] : ['TerminatingOrFailed', 'Failed'];
    if (!allowed.includes(replacement)) errs.push(notSupported(path.child('podReplacementPolicy'), replacement, allowed));
  }
  errs.push(...validatePodFailurePolicy(spec.podFailurePolicy, path, spec.template?.spec?.restartPolicy, mode === 'Indexed'));
  const tPath = path.child('template');
  if (!isRecord(spec.template)) {
    errs.push(required(tPath));
    return errs;
  }
  errs.push(...validatePodTemplateSpec(spec.template, tPath));
  const restartPolicy = spec.template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(notSupported(tPath.child('spec').child('restartPolicy'), restartPolicy, ['OnFailure', 'Never']));
  }
  return errs;
}

/** ValidateJobSpec: the common checks plus a required selector that the template matches. */
export function validateJobSpec(spec: JobSpec | undefined, path: FieldPath): FieldError[] {
  if (!isRecord(spec)) return [required(path)];
  const errs: FieldError[] = [];
  if (spec.selector === undefined || spec.selector === null) errs.push(required(path.child('selector')));
  else {
    const selErrs = validateLabelSelector(spec.selector, path.child('selector'));
    errs.push(...selErrs);
    const labels = isRecord(spec.template) && isRecord(spec.template.metadata) ? spec.template.metadata.labels : undefined;
    if (selErrs.length === 0 && isRecord(spec.template) && !selectorMatches(spec.selector, labels)) {
      errs.push(invalid(path.child('template').child('metadata').child('labels'), labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validateJobSpecCommon(spec, path));
  return errs;
}

const failureActions = ['FailJob', 'FailIndex', 'Ignore', 'Count'];
const exitCodeOperators = ['In', 'NotIn'];

/** validatePodFailurePolicy: each rule one action and exactly one of onExitCodes / onPodConditions. */
function validatePodFailurePolicy(policy: unknown, specPath: FieldPath, restartPolicy: string | undefined, indexed: boolean): FieldError[] {
  if (policy === undefined || policy === null) return [];
  const path = specPath.child('podFailurePolicy');
  if (!isRecord(policy)) return [invalid(path, policy, 'must be an object')];
  const errs: FieldError[] = [];
  // Pod failures are only seen when pods are not restarted in place.
  if (restartPolicy !== 'Never') {
    errs.push(invalid(specPath.child('template').child('spec').child('restartPolicy'), restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  const rawRules = (policy as { rules?: unknown }).rules;
  const rules: unknown[] = Array.isArray(rawRules) ? rawRules : [];
  rules.forEach((rule, i) => {
    const at = path.child('rules').index(i);
    if (!isRecord(rule)) return errs.push(invalid(at, rule, 'must be an object'));
    const action = rule.action;
    const allowed = indexed ? failureActions : failureActions.filter((a) => a !== 'FailIndex');
    if (typeof action !== 'string' || !allowed.includes(action)) errs.push(notSupported(at.child('action'), action, allowed));
    const hasCodes = rule.onExitCodes !== undefined && rule.onExitCodes !== null;
    const hasConditions = Array.isArray(rule.onPodConditions) && rule.onPodConditions.length > 0;
    if (hasCodes && hasConditions) errs.push(invalid(at, rule, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    else if (!hasCodes && !hasConditions) errs.push(invalid(at, rule, 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (isRecord(rule.onExitCodes)) {
      const codes = rule.onExitCodes;
      const cPath = at.child('onExitCodes');
      if (typeof codes.operator !== 'string' || !exitCodeOperators.includes(codes.operator)) errs.push(notSupported(cPath.child('operator'), codes.operator, exitCodeOperators));
      const values = Array.isArray(codes.values) ? codes.values : [];
      if (values.length === 0) errs.push(required(cPath.child('values'), 'at least one value is required'));
      let previous = -Infinity;
      values.forEach((v: unknown, j: number) => {
        if (typeof v !== 'number' || !Number.isInteger(v)) return errs.push(invalid(cPath.child('values').index(j), v, 'must be an integer'));
        if (v === 0 && codes.operator === 'In') errs.push(invalid(cPath.child('values').index(j), v, 'must not be 0 for the In operator'));
        if (v <= previous) errs.push(invalid(cPath.child('values').index(j), v, 'must be ordered'));
        previous = v;
      });
    }
  });
  return errs;
}
