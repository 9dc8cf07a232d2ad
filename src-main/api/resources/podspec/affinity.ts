// A pod's affinity (validateAffinity): node selector terms and requirements, pod (anti-)affinity
// terms with their topology keys, and the weights of preferences. The scheduler relies on these
// shapes being sound.
import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { FieldPath, forbidden, invalid, required, type FieldError } from '../../field-errors.ts';
import { validateLabelSelector } from '../../validation/label-selector.ts';
import { isDNS1123Label, isQualifiedName } from '../../validation/names.ts';
import { isRecord, items } from './json.ts';

export function validateAffinity(affinity: unknown, path: FieldPath): FieldError[] {
  if (affinity === undefined || affinity === null) return [];
  if (!isRecord(affinity)) return [invalid(path, affinity, 'must be an object')];
  const a = affinity as Affinity;
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (isRecord(na)) {
    const naPath = path.child('nodeAffinity');
    const requiredTerms = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (isRecord(requiredTerms)) {
      const termsPath = naPath.child('requiredDuringSchedulingIgnoredDuringExecution').child('nodeSelectorTerms');
      const terms = items<NodeSelectorTerm>(requiredTerms.nodeSelectorTerms);
      if (terms.length === 0) errs.push(required(termsPath, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, termsPath.index(i))));
    }
    items<{ weight?: number; preference?: NodeSelectorTerm }>(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
      const at = naPath.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (!isRecord(p)) return errs.push(invalid(at, p, 'must be an object'));
      errs.push(...validateWeight(p.weight, at.child('weight')));
      errs.push(...validateNodeSelectorTerm(p.preference, at.child('preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!isRecord(pa)) continue;
    const paPath = path.child(kind);
    items<PodAffinityTerm>(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, paPath.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))),
    );
    items<{ weight?: number; podAffinityTerm?: PodAffinityTerm }>(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
      const at = paPath.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (!isRecord(p)) return errs.push(invalid(at, p, 'must be an object'));
      errs.push(...validateWeight(p.weight, at.child('weight')));
      errs.push(...validatePodAffinityTerm(p.podAffinityTerm, at.child('podAffinityTerm')));
    });
  }
  return errs;
}

function validateWeight(weight: unknown, path: FieldPath): FieldError[] {
  return typeof weight === 'number' && Number.isInteger(weight) && weight >= 1 && weight <= 100 ? [] : [invalid(path, weight ?? 0, 'must be in the range 1-100')];
}

function validateNodeSelectorTerm(term: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(term)) return term === undefined ? [] : [invalid(path, term, 'must be an object')];
  const t = term as NodeSelectorTerm;
  const errs: FieldError[] = [];
  items<NodeSelectorRequirement>(t.matchExpressions).forEach((r, i) => errs.push(...validateNodeSelectorRequirement(r, path.child('matchExpressions').index(i), true)));
  items<NodeSelectorRequirement>(t.matchFields).forEach((r, i) => errs.push(...validateNodeSelectorRequirement(r, path.child('matchFields').index(i), false)));
  return errs;
}

function validateNodeSelectorRequirement(req: NodeSelectorRequirement, path: FieldPath, labelKey: boolean): FieldError[] {
  if (!isRecord(req)) return [invalid(path, req, 'must be an object')];
  const errs: FieldError[] = [];
  const values = items<string>(req.values);
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), req.operator, 'not a valid selector operator'));
  }
  if (typeof req.key !== 'string' || req.key === '') errs.push(required(path.child('key')));
  else if (labelKey) for (const msg of isQualifiedName(req.key)) errs.push(invalid(path.child('key'), req.key, msg));
  else if (req.key !== 'metadata.name') errs.push(invalid(path.child('key'), req.key, 'not a valid field selector key'));
  return errs;
}

function validatePodAffinityTerm(term: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(term)) return [invalid(path, term, 'must be an object')];
  const t = term as unknown as PodAffinityTerm;
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(t.labelSelector, path.child('labelSelector')));
  errs.push(...validateLabelSelector(t.namespaceSelector, path.child('namespaceSelector')));
  items<string>(t.namespaces).forEach((ns) => {
    if (typeof ns !== 'string') errs.push(invalid(path.child('namespace'), ns, 'must be a string'));
    else for (const msg of isDNS1123Label(ns)) errs.push(invalid(path.child('namespace'), ns, msg));
  });
  if (typeof t.topologyKey !== 'string' || t.topologyKey === '') errs.push(required(path.child('topologyKey'), 'can not be empty'));
  else for (const msg of isQualifiedName(t.topologyKey)) errs.push(invalid(path.child('topologyKey'), t.topologyKey, msg));
  return errs;
}
