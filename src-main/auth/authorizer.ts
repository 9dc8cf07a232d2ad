// May this user do this? The hook every request passes after authentication. system:masters may
// do anything, nodes what node/node-authorizer.ts allows them, bootstrap tokens only join; RBAC
// becomes another Authorizer in the chain.
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

export type Decision = { decision: 'allow' } | { decision: 'deny'; reason: string } | { decision: 'no-opinion' };

export interface Authorizer {
  authorize(attrs: Attributes): Decision;
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
