// May this user do this? The hook every request passes after authentication: system:masters may
// do anything, nodes what node/node-authorizer.ts allows them, bootstrap tokens only join, anyone
// may read public information, and RBAC (auth/rbac) decides the rest, as upstream's Node,RBAC.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from './authenticator.ts';
import { BOOTSTRAPPERS_GROUP } from './bootstrap-token.ts';
import { CACERTS_PATH, NODE_CREDENTIAL_PATH } from './join-protocol.ts';

export interface Attributes {
  user: UserInfo;
  verb: string;
  /** Resource requests. */
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Non-resource requests (/version, /openapi/v2...). */
  path?: string;
  resourceRequest: boolean;
  /** A list or watch's field selector (the node authorizer's spec.nodeName=<node>). */
  fieldSelector?: string;
}

/** The reason is upstream's: why it was allowed, or what kept it from being (a missing role). */
export type Decision = { decision: 'allow'; reason?: string } | { decision: 'deny'; reason: string } | { decision: 'no-opinion'; reason?: string };

export interface Authorizer {
  authorize(attrs: Attributes): Decision;
}

/** What a user may do in a namespace, as far as an authorizer can tell (SelfSubjectRulesReview). */
export interface UserRules {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  /** Some rules could not be known (a missing role, an authorizer that cannot list its rules). */
  incomplete: boolean;
  errors: Error[];
}

/** An authorizer that can also list a user's rules (upstream's authorizer.RuleResolver). */
export interface RuleResolverAuthorizer extends Authorizer {
  rulesFor?(user: UserInfo, namespace: string): UserRules;
}

/** system:masters can do everything, as upstream's privileged group. */
export const mastersAuthorizer: Authorizer = {
  authorize: (a) => (a.user.groups.includes('system:masters') ? { decision: 'allow' } : { decision: 'no-opinion' }),
};

/**
 * A bootstrap token may only be exchanged for a node credential (and read what anyone may):
 * the joining node's real identity is the certificate it gets. Non-resource verbs are the HTTP
 * method's, lowercased, as upstream's.
 */
export const bootstrapAuthorizer: Authorizer = {
  authorize: (a) =>
    a.user.groups.includes(BOOTSTRAPPERS_GROUP) && !a.resourceRequest && a.verb === 'post' && a.path === NODE_CREDENTIAL_PATH ? { decision: 'allow' } : { decision: 'no-opinion' },
};

/**
 * Public information anyone may read, as upstream's system:public-info-viewer role, and the
 * cluster CA (k3s serves /cacerts to anyone: a joining node checks it against its token).
 */
const publicPaths = new Set(['/version', '/version/', '/healthz', '/livez', '/readyz', CACERTS_PATH]);
export const publicInfoAuthorizer: Authorizer = {
  authorize: (a) => (!a.resourceRequest && a.verb === 'get' && a.path && publicPaths.has(a.path) ? { decision: 'allow' } : { decision: 'no-opinion' }),
};

/**
 * The first decided answer wins; nobody deciding is no opinion, which the API server answers
 * with 403 (upstream's union authorizer: the reasons of those without an opinion are joined).
 * The rules a user has are every member's together.
 */
export function authorizerChain(list: RuleResolverAuthorizer[]): Required<RuleResolverAuthorizer> {
  return {
    authorize(attrs) {
      const reasons: string[] = [];
      for (const a of list) {
        const d = a.authorize(attrs);
        if (d.decision !== 'no-opinion') return d;
        if (d.reason) reasons.push(d.reason);
      }
      return reasons.length ? { decision: 'no-opinion', reason: reasons.join('\n') } : { decision: 'no-opinion' };
    },
    rulesFor(user, namespace) {
      const all: UserRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
      for (const a of list) {
        const r = a.rulesFor?.(user, namespace);
        if (!r) continue;
        all.resourceRules.push(...r.resourceRules);
        all.nonResourceRules.push(...r.nonResourceRules);
        all.incomplete ||= r.incomplete;
        all.errors.push(...r.errors);
      }
      return all;
    },
  };
}
