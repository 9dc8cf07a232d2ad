// RBAC objects read as sentences, and which bindings grant a subject what — as the RBAC
// authorizer decides it (a ServiceAccount also gets what its groups are granted).
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1';
import { formatLabels } from '../../lib/label-selector.ts';

/** "get, list, watch" on "pods, pods/log" in "apps", [names…]; or on URLs "/healthz". */
export interface RuleText {
  verbs: string;
  on: string;
  groups?: string;
  names?: string;
}

export function ruleText(rule: PolicyRule): RuleText {
  const verbs = rule.verbs.includes('*') ? 'all verbs' : rule.verbs.join(', ');
  if (rule.nonResourceURLs?.length) return { verbs, on: `URLs ${rule.nonResourceURLs.join(', ')}` };
  const resources = rule.resources ?? [];
  const groups = (rule.apiGroups ?? []).map((g) => (g === '' ? 'core' : g === '*' ? 'all groups' : g)).join(', ');
  return {
    verbs,
    on: resources.includes('*') ? 'all resources' : resources.join(', ') || '(no resources)',
    ...(groups ? { groups } : {}),
    ...(rule.resourceNames?.length ? { names: rule.resourceNames.join(', ') } : {}),
  };
}

/** The label selectors whose ClusterRoles' rules this one aggregates, as text. */
export function aggregationText(rule: AggregationRule | undefined): string | undefined {
  const selectors = rule?.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return undefined;
  return selectors.map((s) => formatLabels(s.matchLabels) || '(expressions)').join(' or ');
}

export function subjectText(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name;
}

export function roleRefText(ref: RoleRef): string {
  return `${ref.kind}/${ref.name}`;
}

/** A user, group or ServiceAccount to ask "what can it do?" about. */
export interface SubjectRef {
  kind: 'User' | 'Group' | 'ServiceAccount';
  name: string;
  namespace?: string;
}

/** The names a subject is known by to the authorizer: itself, and a ServiceAccount's groups. */
function matchesSubject(s: Subject, who: SubjectRef): boolean {
  if (who.kind === 'ServiceAccount') {
    if (s.kind === 'ServiceAccount') return s.name === who.name && (s.namespace ?? '') === (who.namespace ?? '');
    if (s.kind === 'User') return s.name === `system:serviceaccount:${who.namespace}:${who.name}`;
    if (s.kind === 'Group') return ['system:serviceaccounts', `system:serviceaccounts:${who.namespace}`, 'system:authenticated'].includes(s.name);
    return false;
  }
  if (who.kind === 'Group') return s.kind === 'Group' && s.name === who.name;
  return s.kind === 'User' && s.name === who.name;
}

export interface Grant {
  binding: RoleBinding | ClusterRoleBinding;
  /** Where the rules apply: a namespace for a RoleBinding, '' for cluster-wide. */
  scope: string;
  /** Absent when the role it names does not exist. */
  role?: Role | ClusterRole;
  /** Which of the binding's subjects matched (a group, when granted through one). */
  via: Subject;
}

interface RbacObjects {
  roles: ReadonlyMap<string, Role>;
  clusterRoles: ReadonlyMap<string, ClusterRole>;
  roleBindings: Iterable<RoleBinding>;
  clusterRoleBindings: Iterable<ClusterRoleBinding>;
}

/** The role a binding names: a Role in the binding's namespace, or a ClusterRole. */
export function boundRole(binding: RoleBinding | ClusterRoleBinding, rbac: Pick<RbacObjects, 'roles' | 'clusterRoles'>): Role | ClusterRole | undefined {
  const ns = binding.metadata?.namespace;
  return binding.roleRef.kind === 'Role' ? rbac.roles.get(`${ns}/${binding.roleRef.name}`) : rbac.clusterRoles.get(binding.roleRef.name);
}

/** Every binding that grants the subject something, cluster-wide ones first. */
export function grantsFor(who: SubjectRef, rbac: RbacObjects): Grant[] {
  const grants: Grant[] = [];
  const add = (binding: RoleBinding | ClusterRoleBinding, scope: string) => {
    const via = (binding.subjects ?? []).find((s) => matchesSubject(s, who));
    if (via) grants.push({ binding, scope, role: boundRole(binding, rbac), via });
  };
  for (const b of rbac.clusterRoleBindings) add(b, '');
  for (const b of rbac.roleBindings) add(b, b.metadata?.namespace ?? '');
  return grants.sort((a, b) => a.scope.localeCompare(b.scope) || (a.binding.metadata?.name ?? '').localeCompare(b.binding.metadata?.name ?? ''));
}
