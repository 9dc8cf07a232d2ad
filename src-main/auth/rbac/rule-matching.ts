// Does one RBAC rule allow a request? Upstream's evaluation helpers (rbac/v1 RuleAllows): a
// resource rule matches on verb, API group, resource (with "pods/log" and "*/log" for
// subresources) and, when it lists any, the object's name; a non-resource rule on verb and path,
// where a trailing "*" matches every path under its prefix. "*" matches everything in any list.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import type { Attributes } from '../authorizer.ts';

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** `combined` is "pods/log" for a subresource request; a rule's "*\/log" matches any resource's log. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string | undefined): boolean {
  return (rule.resources ?? []).some((r) => r === ALL || r === combined || (!!subresource && r === `*/${subresource}`));
}

/** A rule without resourceNames covers every name, also requests that have none (list, create). */
export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (name !== undefined && names.includes(name));
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === ALL || u === path || (u.endsWith(ALL) && path.startsWith(u.replace(/\*+$/, ''))));
}

export function ruleAllows(attrs: Omit<Attributes, 'user'>, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path ?? '');
  const resource = attrs.resource ?? '';
  const combined = attrs.subresource ? `${resource}/${attrs.subresource}` : resource;
  return apiGroupMatches(rule, attrs.group ?? '') && resourceMatches(rule, combined, attrs.subresource) && resourceNameMatches(rule, attrs.name);
}
