// Does one set of rules cover another (upstream's rbac validation Covers)? The servant rules are
// broken down into one verb on one resource (or URL) each, and every piece must be covered by
// some owner rule. What a user may grant is what they hold: this is the escalation check.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';

const ALL = '*';
const hasAll = (set: readonly string[] | undefined, wanted: readonly string[] | undefined) => (wanted ?? []).every((w) => (set ?? []).includes(w));

/** One rule per verb and group/resource/name, or per verb and URL (rbacv1helpers.BreakdownRule). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of rule.apiGroups ?? []) {
    for (const r of rule.resources ?? []) {
      const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
      for (const n of names) for (const v of rule.verbs) out.push({ apiGroups: [g], resources: [r], verbs: [v], ...(n !== undefined ? { resourceNames: [n] } : {}) });
    }
  }
  for (const u of rule.nonResourceURLs ?? []) for (const v of rule.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

function resourcesCover(owner: readonly string[], wanted: readonly string[]): boolean {
  if (owner.includes(ALL)) return true;
  return wanted.every((w) => owner.includes(w) || (w.includes('/') && owner.includes(`${ALL}/${w.slice(w.indexOf('/') + 1)}`)));
}

function urlsCover(owner: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((w) => owner.some((o) => o === w || (o.endsWith(ALL) && w.startsWith(o.replace(/\*+$/, '')))));
}

function ruleCovers(owner: PolicyRule, wanted: PolicyRule): boolean {
  const verbs = owner.verbs.includes(ALL) || hasAll(owner.verbs, wanted.verbs);
  const groups = (owner.apiGroups ?? []).includes(ALL) || hasAll(owner.apiGroups, wanted.apiGroups);
  const names = wanted.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, wanted.resourceNames) : !owner.resourceNames?.length;
  return verbs && groups && names && resourcesCover(owner.resources ?? [], wanted.resources ?? []) && urlsCover(owner.nonResourceURLs ?? [], wanted.nonResourceURLs ?? []);
}

/** The pieces of `servant` no owner rule covers (empty: covered). */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((piece) => !owner.some((o) => ruleCovers(o, piece)));
}

const goQuoted = (list: readonly string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** rbacv1helpers.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["create"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goQuoted(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goQuoted(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoted(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goQuoted(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${goQuoted(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** The broken-down pieces merged back per resource (or URL), verbs together (CompactRules). */
export function compactRules(pieces: readonly PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  for (const p of pieces) {
    const key = JSON.stringify([p.apiGroups, p.resources, p.resourceNames, p.nonResourceURLs]);
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...p, verbs: [...p.verbs] });
    else for (const v of p.verbs) if (!seen.verbs.includes(v)) seen.verbs.push(v);
  }
  return [...byKey.values()];
}
