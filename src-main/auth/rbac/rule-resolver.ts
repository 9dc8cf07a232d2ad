// Which rules apply to a user in a namespace (upstream's DefaultRuleResolver): those of the roles
// every ClusterRoleBinding naming the user grants, then, for a namespaced request, those of the
// RoleBindings in that namespace. A binding whose role is missing contributes an error (it shows
// in the denial's reason and in SelfSubjectRulesReview's evaluationError), not rules.
import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../authenticator.ts';
import type { PolicySource } from './policy-cache.ts';
import { appliesToUser, describeSubject } from './subjects.ts';

/** Where a rule came from, for the allow reason: `ClusterRoleBinding "x" of ClusterRole "view" to User "alice"`. */
export type RuleSource = () => string;

/** Called for each rule or error; returning false stops the walk. */
export type RuleVisitor = (source: RuleSource | undefined, rule: PolicyRule | undefined, err: Error | undefined) => boolean;

/** lister NotFound, as upstream words it: `clusterrole.rbac.authorization.k8s.io "x" not found`. */
const roleNotFound = (kind: string, name: string) => new Error(`${kind.toLowerCase()}.rbac.authorization.k8s.io "${name}" not found`);

export class RuleResolver {
  constructor(private readonly policy: PolicySource) {}

  /** The rules of the role a binding refers to; a Role is looked up in the binding's namespace. */
  roleReferenceRules(ref: RoleRef, bindingNamespace: string): PolicyRule[] {
    const role = ref.kind === 'Role' ? this.policy.getRole(bindingNamespace, ref.name) : ref.kind === 'ClusterRole' ? this.policy.getClusterRole(ref.name) : undefined;
    if (!role) throw ref.kind === 'Role' || ref.kind === 'ClusterRole' ? roleNotFound(ref.kind, ref.name) : new Error(`unsupported role reference kind: "${ref.kind}"`);
    return role.rules ?? [];
  }

  visitRulesFor(user: UserInfo, namespace: string | undefined, visit: RuleVisitor): void {
    for (const b of this.policy.listClusterRoleBindings()) {
      if (!this.visitBinding(user, b.subjects, b.roleRef, '', () => `ClusterRoleBinding "${b.metadata?.name}"`, visit)) return;
    }
    if (!namespace) return;
    for (const b of this.policy.listRoleBindings(namespace)) {
      if (!this.visitBinding(user, b.subjects, b.roleRef, namespace, () => `RoleBinding "${b.metadata?.name}/${namespace}"`, visit)) return;
    }
  }

  private visitBinding(user: UserInfo, subjects: Subject[] | undefined, ref: RoleRef, namespace: string, binding: () => string, visit: RuleVisitor): boolean {
    const subject = (subjects ?? []).find((s) => appliesToUser(user, s, namespace));
    if (!subject) return true;
    let rules: PolicyRule[];
    try {
      rules = this.roleReferenceRules(ref, namespace);
    } catch (e) {
      return visit(undefined, undefined, e as Error);
    }
    const source = () => `${binding()} of ${ref.kind} "${ref.name}" to ${describeSubject(subject, namespace)}`;
    for (const rule of rules) if (!visit(source, rule, undefined)) return false;
    return true;
  }

  /** Every rule that applies, and the errors met on the way (upstream's RulesFor). */
  rulesFor(user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; errors: Error[] } {
    const rules: PolicyRule[] = [];
    const errors: Error[] = [];
    this.visitRulesFor(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function aggregateMessage(errors: Error[]): string {
  return errors.length === 1 ? errors[0].message : `[${errors.map((e) => e.message).join(', ')}]`;
}
