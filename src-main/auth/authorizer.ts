// May this user do this? The hook every request passes after authentication. For now only
// system:masters may do anything; RBAC (a later issue) becomes another Authorizer in the chain.
import type { UserInfo } from './authenticator.ts';

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
}

export type Decision = { decision: 'allow' } | { decision: 'deny'; reason: string } | { decision: 'no-opinion' };

export interface Authorizer {
  authorize(attrs: Attributes): Decision;
}

/** system:masters can do everything, as upstream's privileged group. */
export const mastersAuthorizer: Authorizer = {
  authorize: (a) => (a.user.groups.includes('system:masters') ? { decision: 'allow' } : { decision: 'no-opinion' }),
};

/** Public information anyone may read, as upstream's system:public-info-viewer role. */
const publicPaths = new Set(['/version', '/version/', '/healthz', '/livez', '/readyz']);
export const publicInfoAuthorizer: Authorizer = {
  authorize: (a) => (!a.resourceRequest && a.verb === 'get' && a.path && publicPaths.has(a.path) ? { decision: 'allow' } : { decision: 'no-opinion' }),
};

/** The first decided answer wins; nobody decided means deny. */
export function authorizerChain(list: Authorizer[]): Authorizer {
  return {
    authorize(attrs) {
      for (const a of list) {
        const d = a.authorize(attrs);
        if (d.decision !== 'no-opinion') return d;
      }
      return { decision: 'deny', reason: '' };
    },
  };
}
