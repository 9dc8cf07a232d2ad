// What may change in a pod's spec after creation (ValidatePodUpdate): container images,
// activeDeadlineSeconds (set or shortened), added tolerations, removed scheduling gates, and
// node affinity/selector additions while gated. Everything else needs a new pod.
import type { PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { FieldPath, forbidden, invalid, type FieldError } from '../../field-errors.ts';
import { clone, isRecord, items, jsonEqual } from './json.ts';

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

export function validatePodSpecUpdate(newSpec: PodSpec, oldSpec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!isRecord(newSpec) || !isRecord(oldSpec)) return errs;

  const oldDeadline = oldSpec.activeDeadlineSeconds;
  const newDeadline = newSpec.activeDeadlineSeconds;
  if (oldDeadline !== undefined && oldDeadline !== null) {
    if (newDeadline === undefined || newDeadline === null) {
      errs.push(invalid(path.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
    } else if (newDeadline > oldDeadline) {
      errs.push(invalid(path.child('activeDeadlineSeconds'), newDeadline, 'must be less than or equal to previous value'));
    }
  }
  errs.push(...validateOnlyAddedTolerations(newSpec.tolerations, oldSpec.tolerations, path.child('tolerations')));

  // Take the old spec, apply what may change, and compare with the new one.
  const mutable = clone(oldSpec) as PodSpec & Record<string, unknown>;
  const copyImages = (field: 'containers' | 'initContainers') => {
    const olds = items<{ image?: string }>(mutable[field]);
    const news = items<{ image?: string }>(newSpec[field]);
    if (olds.length !== news.length) return;
    olds.forEach((c, i) => {
      if (isRecord(c) && isRecord(news[i])) c.image = news[i].image;
    });
  };
  copyImages('containers');
  copyImages('initContainers');
  mutable.activeDeadlineSeconds = newSpec.activeDeadlineSeconds;
  mutable.tolerations = newSpec.tolerations;
  if (oldSpec.terminationGracePeriodSeconds !== undefined && oldSpec.terminationGracePeriodSeconds < 0 && newSpec.terminationGracePeriodSeconds === 1) {
    mutable.terminationGracePeriodSeconds = 1;
  }
  // Scheduling gates may only be removed; while a pod is gated its placement may be narrowed.
  const gated = items(oldSpec.schedulingGates).length > 0;
  const newGates = items<{ name: string }>(newSpec.schedulingGates);
  if (newGates.every((g) => items<{ name: string }>(oldSpec.schedulingGates).some((o) => o.name === g.name))) mutable.schedulingGates = newSpec.schedulingGates;
  if (gated) {
    mutable.nodeSelector = newSpec.nodeSelector;
    mutable.affinity = newSpec.affinity;
  }
  if (!jsonEqual(stripEmpty(mutable), stripEmpty(newSpec))) {
    const changed = Object.keys({ ...mutable, ...newSpec })
      .filter((k) => !jsonEqual((mutable as Record<string, unknown>)[k], (newSpec as unknown as Record<string, unknown>)[k]))
      .sort();
    errs.push(forbidden(path, `${podUpdateForbiddenMessage}\n  changed: ${changed.map((k) => `spec.${k}`).join(', ')}`));
  }
  return errs;
}

function stripEmpty(spec: PodSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

const tolerationKey = (t: Toleration) => JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);

function validateOnlyAddedTolerations(newList: unknown, oldList: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const news = items<Toleration>(newList).filter(isRecord);
  for (const old of items<Toleration>(oldList).filter(isRecord)) {
    const match = news.find((t) => tolerationKey(t) === tolerationKey(old));
    if (!match) {
      errs.push(forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'));
      return errs;
    }
    // tolerationSeconds may only shrink, and may not be added where there was none.
    const o = old.tolerationSeconds;
    const n = match.tolerationSeconds;
    if ((o === undefined || o === null) && n !== undefined && n !== null) {
      errs.push(forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'));
    } else if (o !== undefined && o !== null && (n === undefined || n === null || n > o) && o > 0) {
      errs.push(forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'));
    }
  }
  return errs;
}
