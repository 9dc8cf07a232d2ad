// RBAC for the API server: the authorizer over a cache of the store's RBAC objects. The cache
// is read before the server listens, so the first request is already decided by the policy.
import type { ResourceRegistry } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import { PolicyCache } from './policy-cache.ts';
import { RbacAuthorizer } from './rbac-authorizer.ts';
import { RuleResolver } from './rule-resolver.ts';
import { EscalationCheck } from './escalation-check.ts';
import type { Authorizer, RuleResolverAuthorizer } from '../authorizer.ts';

export interface Rbac {
  authorizer: RbacAuthorizer;
  /** The escalation check of RBAC writes, deciding with the whole authorizer chain. */
  escalationCheck(chain: Authorizer & Required<Pick<RuleResolverAuthorizer, 'rulesFor'>>): EscalationCheck;
  stop(): void;
}

export async function startRbac(store: Store, registry: ResourceRegistry, log: (line: string) => void): Promise<Rbac> {
  const def = (resource: string) => registry.lookup('rbac.authorization.k8s.io', 'v1', resource)!.definition;
  const cache = new PolicyCache(store, { roles: def('roles'), roleBindings: def('rolebindings'), clusterRoles: def('clusterroles'), clusterRoleBindings: def('clusterrolebindings') }, log);
  await cache.start();
  return { authorizer: new RbacAuthorizer(cache), escalationCheck: (chain) => new EscalationCheck(chain, new RuleResolver(cache)), stop: () => cache.stop() };
}
