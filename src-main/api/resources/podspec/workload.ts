// What Deployments, ReplicaSets and DaemonSets share: a required, non-empty selector that the
// template's labels satisfy, a template whose pods restart Always, int-or-percent fields, and the
// CONTAINERS / IMAGES cells of their wide tables, and a selector that never changes.
import type { Container, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldError } from '../../field-errors.ts';
import { isEmptySelector, selectorMatches, validateLabelSelector } from '../../validation/label-selector.ts';
import { isRecord, items, jsonEqual } from './json.ts';
import type { KubeObject } from '../types.ts';
import { validatePodTemplateSpec } from './pod-spec.ts';

/**
 * spec.selector and spec.template of a replicated workload. kindWord is how upstream names the
 * kind in its "empty selector" message ("deployment" for deployments and replica sets).
 */
export function validateSelectorAndTemplate(
  spec: { selector?: LabelSelector; template?: PodTemplateSpec },
  path: FieldPath,
  kindWord: string,
  kindTitle: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const selPath = path.child('selector');
  const selector = spec.selector;
  let selectorOk = false;
  if (selector === undefined || selector === null) errs.push(required(selPath));
  else {
    const selErrs = validateLabelSelector(selector, selPath);
    errs.push(...selErrs);
    if (isEmptySelector(selector)) errs.push(invalid(selPath, selector, `empty selector is invalid for ${kindWord}`));
    else selectorOk = selErrs.length === 0;
  }
  const tPath = path.child('template');
  const template = spec.template;
  if (!isRecord(template)) {
    errs.push(required(tPath));
    return errs;
  }
  const labels = isRecord(template.metadata) ? template.metadata.labels : undefined;
  if (selectorOk && !selectorMatches(selector, labels)) {
    errs.push(invalid(tPath.child('metadata').child('labels'), labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, tPath));
  const podSpec = isRecord(template.spec) ? template.spec : undefined;
  if (podSpec) {
    if (podSpec.restartPolicy !== 'Always') {
      errs.push(notSupported(tPath.child('spec').child('restartPolicy'), podSpec.restartPolicy, ['Always']));
    }
    if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
      errs.push(forbidden(tPath.child('spec').child('activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindTitle} is not Supported`));
    }
  }
  return errs;
}

const percentRe = /^[0-9]+%$/;
const percentMessage = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent: a non-negative integer or "N%". */
export function validateIntOrPercent(value: unknown, path: FieldPath): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return percentRe.test(value) ? [] : [invalid(path, value, percentMessage)];
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? [] : [invalid(path, value, 'must be greater than or equal to 0')];
  return [invalid(path, value, 'must be an integer or percentage (e.g \'5%\')')];
}

/** The integer or the percentage's number, as upstream's getIntOrPercentValue. */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && percentRe.test(value)) return Number(value.slice(0, -1));
  return -1;
}

export function validateNotMoreThan100Percent(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value === 'string' && percentRe.test(value) && Number(value.slice(0, -1)) > 100) return [invalid(path, value, 'must not be greater than 100%')];
  return [];
}

export function validateNonNegative(value: unknown, path: FieldPath): FieldError[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? [] : [invalid(path, value, 'must be greater than or equal to 0')];
}

/** The CONTAINERS and IMAGES cells: names and images joined by commas (layoutContainerCells). */
export function containerCells(template: PodTemplateSpec | undefined): [string, string] {
  const containers = items<Container>(template?.spec?.containers).filter(isRecord);
  return [containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(',')];
}

export const templateColumns = [
  { name: 'Containers', type: 'string', description: 'Names of each container in the template.', priority: 1 },
  { name: 'Images', type: 'string', description: 'Images referenced by each container in the template.', priority: 1 },
] as const;

export const nameColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
} as const;

export const ageColumn = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  priority: 0,
} as const;

/** Workloads own their pods through the selector: it may not change after create. */
export function validateSelectorUnchanged(obj: KubeObject, old: KubeObject): FieldError[] {
  const sel = (obj.spec as { selector?: unknown } | undefined)?.selector;
  const oldSel = (old.spec as { selector?: unknown } | undefined)?.selector;
  return jsonEqual(sel, oldSel) ? [] : [invalid('spec.selector', sel, 'field is immutable')];
}
