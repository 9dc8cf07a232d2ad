// RBAC's own guard against escalation (upstream's pkg/registry/rbac policy-based storage): a
// user may write a Role or ClusterRole only with rules they hold themselves (or the verb
// "escalate" on it), and a binding only to a role whose rules they hold (or the verb "bind" on
// that role). system:masters may do anything, as upstream's EscalationAllowed. Without this, a
// namespace admin could bind cluster-admin to themselves.
import type { PolicyRule, RoleRef } from 'kubernetes-types/rbac/v1';
import { ApiError } from '../../api/status.ts';
import type { KubeObject } from '../../api/resources/types.ts';
import type { UserInfo } from '../authenticator.ts';
import type { Authorizer, RuleResolverAuthorizer } from '../authorizer.ts';
import { rbacGroup } from '../../api/resources/rbac/binding.ts';
import { compactRules, compactString, uncoveredRules } from './covers.ts';
import type { RuleResolver } from './rule-resolver.ts';

/** A write of an RBAC object, as the API handlers see it after validation. */
export interface RbacWrite {
  user: UserInfo;
  resource: string;
  obj: KubeObject;
}

const forbiddenWrite = (resource: string, name: string, why: string) =>
  new ApiError(403, 'Forbidden', `${resource}.${rbacGroup} "${name}" is forbidden: ${why}`, { name, group: rbacGroup, kind: resource });

export class EscalationCheck {
  constructor(
    private readonly authorizer: Authorizer & Required<Pick<RuleResolverAuthorizer, 'rulesFor'>>,
    private readonly resolver: RuleResolver,
  ) {}

  private allowed(user: UserInfo, verb: string, resource: string, namespace: string | undefined, name: string): boolean {
    return this.authorizer.authorize({ user, verb, group: rbacGroup, version: 'v1', resource, namespace, name, resourceRequest: true }).decision === 'allow';
  }

  /** Throws 403 when the write would grant more than the user holds. */
  check(w: RbacWrite): void {
    if (w.user.groups.includes('system:masters')) return;
    const name = w.obj.metadata.name ?? '';
    const namespace = w.obj.metadata.namespace;
    if (w.resource === 'roles' || w.resource === 'clusterroles') {
      if (this.allowed(w.user, 'escalate', w.resource, namespace, name)) return;
      // An aggregated role's rules are whatever it selects: only an unrestricted user may make one.
      if (w.obj.aggregationRule) throw forbiddenWrite(w.resource, name, 'must have cluster-admin privileges to use the aggregationRule');
      this.confirmNoEscalation(w, name, namespace, (w.obj.rules as PolicyRule[] | undefined) ?? []);
      return;
    }
    if (w.resource !== 'rolebindings' && w.resource !== 'clusterrolebindings') return;
    const ref = w.obj.roleRef as RoleRef;
    const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (this.allowed(w.user, 'bind', roleResource, namespace, ref.name)) return;
    let rules: PolicyRule[];
    try {
      rules = this.resolver.roleReferenceRules(ref, namespace ?? '');
    } catch (e) {
      throw forbiddenWrite(w.resource, name, (e as Error).message);
    }
    this.confirmNoEscalation(w, name, namespace, rules);
  }

  private confirmNoEscalation(w: RbacWrite, name: string, namespace: string | undefined, rules: PolicyRule[]): void {
    const held = this.authorizer.rulesFor(w.user, namespace ?? '');
    const missing = uncoveredRules([...held.resourceRules, ...held.nonResourceRules], rules);
    if (missing.length === 0) return;
    const lines = [...new Set(compactRules(missing).map(compactString))].sort();
    let why = `user ${JSON.stringify(w.user.name)} (groups=[${w.user.groups.map((g) => JSON.stringify(g)).join(' ')}]) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
    if (held.errors.length) why += `; resolution errors: [${held.errors.map((e) => e.message).join(' ')}]`;
    throw forbiddenWrite(w.resource, name, why);
  }
}
