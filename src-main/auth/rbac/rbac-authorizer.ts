// The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): allows a request when a rule
// of a role bound to the user covers it, and otherwise has no opinion, so the chain's verdict is
// a denial. It also answers "what may this user do here" for SelfSubjectRulesReview.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../authenticator.ts';
import type { Attributes, Decision, RuleResolverAuthorizer, UserRules } from '../authorizer.ts';
import type { PolicySource } from './policy-cache.ts';
import { ruleAllows } from './rule-matching.ts';
import { aggregateMessage, RuleResolver } from './rule-resolver.ts';

export class RbacAuthorizer implements RuleResolverAuthorizer {
  private readonly resolver: RuleResolver;

  constructor(policy: PolicySource) {
    this.resolver = new RuleResolver(policy);
  }

  authorize(attrs: Attributes): Decision {
    const found: { allowedBy?: string; errors: Error[] } = { errors: [] };
    this.resolver.visitRulesFor(attrs.user, attrs.namespace, (source, rule, err) => {
      if (err) found.errors.push(err);
      if (rule && ruleAllows(attrs, rule)) {
        found.allowedBy = source?.() ?? '';
        return false;
      }
      return true;
    });
    if (found.allowedBy !== undefined) return { decision: 'allow', reason: `RBAC: allowed by ${found.allowedBy}` };
    return found.errors.length ? { decision: 'no-opinion', reason: `RBAC: ${aggregateMessage(found.errors)}` } : { decision: 'no-opinion' };
  }

  rulesFor(user: UserInfo, namespace: string): UserRules {
    const { rules, errors } = this.resolver.rulesFor(user, namespace);
    const has = (r: PolicyRule, key: 'resources' | 'nonResourceURLs') => (r[key] ?? []).length > 0;
    return {
      resourceRules: rules.filter((r) => has(r, 'resources')),
      nonResourceRules: rules.filter((r) => has(r, 'nonResourceURLs')),
      incomplete: errors.length > 0,
      errors,
    };
  }
}
