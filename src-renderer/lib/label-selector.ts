// Label selectors as the API server applies them: a Service's plain map, or a LabelSelector's
// matchLabels plus matchExpressions (In, NotIn, Exists, DoesNotExist).
import type { LabelSelector } from 'kubernetes-types/meta/v1';

type Labels = Record<string, string> | undefined;

/** A Service selector: every pair must match; an empty or absent one selects nothing (as for Services). */
export function matchesServiceSelector(selector: Labels, labels: Labels): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([k, v]) => labels?.[k] === v);
}

/** A LabelSelector: an empty one selects everything, as for Deployments and NetworkPolicies. */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const own = labels ?? {};
  if (!Object.entries(selector.matchLabels ?? {}).every(([k, v]) => own[k] === v)) return false;
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = Object.hasOwn(own, key);
    switch (operator) {
      case 'In': return has && values.includes(own[key]);
      case 'NotIn': return !has || !values.includes(own[key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

/** "app=web,tier=front" as kubectl prints a selector map. */
export function formatLabels(labels: Labels): string {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}
