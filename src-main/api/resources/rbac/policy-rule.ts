// RBAC rules and roles (pkg/apis/rbac/validation ValidatePolicyRule, ValidateRole,
// ValidateClusterRole) and the NAME / CREATED AT table both role kinds print.
import { FieldPath, invalid, required, type FieldError } from '../../field-errors.ts';
import { validateLabelSelector } from '../../validation/label-selector.ts';
import { nameIsPathSegment, validateObjectMeta } from '../../validation/object-meta.ts';
import { arrayAt, isRecord, nameColumn, nameOf, recordAt } from '../shared-meta.ts';
import type { KubeObject, TablePrinter } from '../types.ts';

const nonEmpty = (rule: Record<string, unknown>, key: string) => arrayAt(rule, key).length > 0;

/** One rule: verbs always; then either non-resource URLs (cluster roles only) or groups+resources. */
export function validatePolicyRule(rule: unknown, namespaced: boolean, path: FieldPath): FieldError[] {
  if (!isRecord(rule)) return [invalid(path, rule, 'must be an object')];
  const errs: FieldError[] = [];
  if (!nonEmpty(rule, 'verbs')) errs.push(required(path.child('verbs'), 'verbs must contain at least one value'));
  if (nonEmpty(rule, 'nonResourceURLs')) {
    const urls = rule.nonResourceURLs;
    if (namespaced) errs.push(invalid(path.child('nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (nonEmpty(rule, 'apiGroups') || nonEmpty(rule, 'resources') || nonEmpty(rule, 'resourceNames')) {
      errs.push(invalid(path.child('nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!nonEmpty(rule, 'apiGroups')) errs.push(required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (!nonEmpty(rule, 'resources')) errs.push(required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRoleObject(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, namespaced, nameIsPathSegment);
  const rules = FieldPath.root('rules');
  arrayAt(obj, 'rules').forEach((r, i) => errs.push(...validatePolicyRule(r, namespaced, rules.index(i))));
  const aggregation = obj.aggregationRule;
  if (!namespaced && aggregation !== undefined && aggregation !== null) {
    const path = FieldPath.root('aggregationRule').child('clusterRoleSelectors');
    const selectors = arrayAt(recordAt(obj, 'aggregationRule'), 'clusterRoleSelectors');
    if (selectors.length === 0) errs.push(required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, path.index(i))));
  }
  return errs;
}

/** printRole / printClusterRole: the name and the creation time as an RFC 3339 date. */
export const roleTable: TablePrinter = {
  columns: [nameColumn, { name: 'Created At', type: 'date', description: 'When the role was created (metadata.creationTimestamp).', priority: 0 }],
  cells: (obj) => [nameOf(obj), formatCreatedAt(obj.metadata?.creationTimestamp)],
};

/** Go's time.RFC3339 in UTC: no fractional seconds. */
function formatCreatedAt(ts: string | undefined): string {
  if (!ts) return '';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? ts : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
