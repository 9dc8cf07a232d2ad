// metav1.LabelSelector: validation (ValidateLabelSelector), matching, and the text form
// (FormatLabelSelector) that the SELECTOR columns of `kubectl get -o wide` show.
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import { FieldPath, forbidden, invalid, required, type FieldError } from '../field-errors.ts';
import { isQualifiedName } from './names.ts';
import { validateLabels } from './object-meta.ts';

const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(selector: unknown, path: FieldPath): FieldError[] {
  if (selector === undefined || selector === null) return [];
  if (typeof selector !== 'object' || Array.isArray(selector)) return [invalid(path, selector, 'must be an object')];
  const sel = selector as LabelSelector;
  const errs: FieldError[] = [];
  const exprs = sel.matchExpressions ?? [];
  if (!Array.isArray(exprs)) errs.push(invalid(path.child('matchExpressions'), exprs, 'must be a list'));
  else exprs.forEach((req, i) => errs.push(...validateRequirement(req, path.child('matchExpressions').index(i))));
  errs.push(...validateLabels(sel.matchLabels, path.child('matchLabels')));
  return errs;
}

function validateRequirement(req: LabelSelectorRequirement, path: FieldPath): FieldError[] {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return [invalid(path, req, 'must be an object')];
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), req.operator, 'not a valid selector operator'));
  }
  if (typeof req.key !== 'string') errs.push(required(path.child('key')));
  else for (const msg of isQualifiedName(req.key)) errs.push(invalid(path.child('key'), req.key, msg));
  return errs;
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/**
 * Whether labels satisfy the selector. An empty selector matches everything; a nil one nothing,
 * as LabelSelectorAsSelector makes them.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    if (!req) return false;
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(l[req.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[req.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** `app=nginx,tier in (a,b),!legacy`, sorted by key as labels.Selector.String(); `<none>` when empty. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push({ key: k, text: `${k}=${v}` });
  for (const req of selector.matchExpressions ?? []) {
    if (!req || !operators.includes(req.operator)) return '<error>';
    const values = [...(req.values ?? [])].sort().join(',');
    const text =
      req.operator === 'In' ? `${req.key} in (${values})` : req.operator === 'NotIn' ? `${req.key} notin (${values})` : req.operator === 'Exists' ? req.key : `!${req.key}`;
    parts.push({ key: req.key, text });
  }
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const s = parts.map((p) => p.text).join(',');
  return s || '<none>';
}

/** `a=b,c=d` with keys sorted, or `<none>`, as labels.FormatLabels. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}
