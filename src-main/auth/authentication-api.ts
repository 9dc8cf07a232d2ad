// authentication.k8s.io/v1, as kube-apiserver serves it: SelfSubjectReview (who am I: `kubectl
// auth whoami`) and TokenReview (is this bearer token valid, and whose is it: what webhooks and
// other components ask). Both are create-only and nothing is stored. ServiceAccount tokens
// (serviceaccounts/NAME/token) are a core subresource, not this group's.
import type { IncomingMessage } from 'node:http';
import type { APIGroupExtension, APIGroupRequest } from '../api/api-group-extension.ts';
import { decodeBody, isObject, mediaType, readBody, writeJSON } from '../api/handlers/codec.ts';
import { ApiError, badRequest, pageNotFound } from '../api/status.ts';
import { AuthenticationRejected, type Authenticator, type UserInfo } from './authenticator.ts';

const GROUP = 'authentication.k8s.io';
const VERSION = 'v1';
const API_VERSION = `${GROUP}/${VERSION}`;

export interface AuthenticationAPIOptions {
  /** The token authenticators' union, for TokenReview. */
  authenticator: Authenticator;
  /** Reviews a token for other audiences than the API's (the service-account authenticator). */
  reviewForAudiences?(token: string, audiences: string[]): Promise<UserInfo | undefined>;
}

const userInfo = (u: UserInfo) => ({ username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups });

const methodNotAllowed = (): ApiError => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

async function readReview(request: APIGroupRequest, kind: string): Promise<Record<string, unknown>> {
  const body = decodeBody(await readBody(request.req, 64 * 1024), mediaType(request.req));
  if (!isObject(body) || (body.kind !== undefined && body.kind !== kind)) throw badRequest(`the body must be an ${API_VERSION} ${kind}`);
  return body;
}

/** A stand-in request carrying only the token: what the token authenticators read. */
function bearerRequest(token: string): IncomingMessage {
  return { headers: { authorization: `Bearer ${token}` }, socket: {} } as unknown as IncomingMessage;
}

async function tokenReviewStatus(opts: AuthenticationAPIOptions, spec: Record<string, unknown>): Promise<Record<string, unknown>> {
  const token = typeof spec.token === 'string' ? spec.token : '';
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  try {
    const user = audiences.length && opts.reviewForAudiences ? await opts.reviewForAudiences(token, audiences) : await opts.authenticator.authenticate(bearerRequest(token));
    if (!user) return { authenticated: false, user: {}, error: 'token not recognised' };
    return { authenticated: true, user: userInfo(user), ...(audiences.length ? { audiences } : {}) };
  } catch (e) {
    if (!(e instanceof AuthenticationRejected)) throw e;
    return { authenticated: false, user: {}, error: e.message };
  }
}

export function authenticationAPIGroup(opts: AuthenticationAPIOptions): APIGroupExtension {
  return {
    name: GROUP,
    versions: [VERSION],
    resourceList: () => ({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: API_VERSION,
      resources: [
        { name: 'selfsubjectreviews', singularName: 'selfsubjectreview', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] },
        { name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] },
      ],
    }),
    async handle(request) {
      const { info } = request;
      if (info.version !== VERSION || info.namespace !== undefined || info.subresource) throw pageNotFound();
      if (info.resource !== 'selfsubjectreviews' && info.resource !== 'tokenreviews') throw pageNotFound();
      if (info.verb !== 'create' || info.name !== undefined) throw methodNotAllowed();
      if (info.resource === 'selfsubjectreviews') {
        const body = await readReview(request, 'SelfSubjectReview');
        const metadata = { ...(isObject(body.metadata) ? body.metadata : {}), creationTimestamp: null };
        return writeJSON(request.res, 201, { kind: 'SelfSubjectReview', apiVersion: API_VERSION, metadata, status: { userInfo: userInfo(request.user) } });
      }
      const body = await readReview(request, 'TokenReview');
      const spec = isObject(body.spec) ? body.spec : {};
      if (typeof spec.token !== 'string' || spec.token === '') throw badRequest('token is required for TokenReview in authentication');
      const metadata = { ...(isObject(body.metadata) ? body.metadata : {}), creationTimestamp: null };
      writeJSON(request.res, 201, { kind: 'TokenReview', apiVersion: API_VERSION, metadata, spec, status: await tokenReviewStatus(opts, spec) });
    },
  };
}
