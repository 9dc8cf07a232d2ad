// Upstream's service-account token authenticator (pkg/serviceaccount/jwt.go): a bearer JWT whose
// issuer is ours is ours to judge. It must carry our signature, be within its lifetime, be meant
// for this API (an audience in common), and the service account (and the pod or secret it is
// bound to) must still exist with the uid it was issued for; then it is the user
// system:serviceaccount:<namespace>:<name>. Anything less is a 401, never a fall-through.
import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { AuthenticationRejected, bearerToken, type Authenticator, type UserInfo } from '../authenticator.ts';
import { InvalidToken, unverifiedClaims, verifyJWT } from './jwt.ts';
import { ISSUER, readClaims, SERVICE_ACCOUNT_USER_PREFIX, SERVICE_ACCOUNTS_GROUP, type ObjectRef } from './claims.ts';

/** Clock skew tolerated on exp and nbf, as upstream's (go-jose's DefaultLeeway). */
const LEEWAY_SECONDS = 60;

interface LiveObject {
  metadata?: { uid?: string; deletionTimestamp?: string | null };
}

export interface ServiceAccountTokenAuthenticatorOptions {
  publicKey: KeyObject;
  /** The API's audiences: a token must name one of them. */
  audiences: readonly string[];
  /** The object as stored now, or undefined. */
  get(resource: 'serviceaccounts' | 'pods' | 'secrets', namespace: string, name: string): Promise<LiveObject | undefined>;
  now(): number;
}

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return { name: `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`, ...(uid ? { uid } : {}), groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, 'system:authenticated'] };
}

export class ServiceAccountTokenAuthenticator implements Authenticator {
  constructor(private readonly opts: ServiceAccountTokenAuthenticatorOptions) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    // Not a JWT, or another issuer's: not ours to judge (another authenticator may know it).
    if (token === undefined || unverifiedClaims(token)?.iss !== ISSUER) return undefined;
    return this.review(token, this.opts.audiences);
  }

  /** TokenReview with audiences of its own: undefined when the token is not one of ours. */
  async reviewFor(token: string, audiences: readonly string[]): Promise<UserInfo | undefined> {
    return unverifiedClaims(token)?.iss === ISSUER ? this.review(token, audiences) : undefined;
  }

  /** The user a token stands for, for these audiences; throws AuthenticationRejected. */
  async review(token: string, audiences: readonly string[]): Promise<UserInfo> {
    let verified;
    try {
      verified = verifyJWT(token, this.opts.publicKey);
    } catch (e) {
      if (e instanceof InvalidToken) throw new AuthenticationRejected(`service account token: ${e.message}`);
      throw e;
    }
    const claims = readClaims(verified);
    if (typeof claims === 'string') throw new AuthenticationRejected(`service account token: ${claims}`);
    const now = this.opts.now() / 1000;
    if (now > claims.expiresAt + LEEWAY_SECONDS) throw new AuthenticationRejected('service account token has expired');
    if (typeof verified.nbf === 'number' && now < verified.nbf - LEEWAY_SECONDS) throw new AuthenticationRejected('service account token is not valid yet');
    if (!claims.audiences.some((a) => audiences.includes(a))) throw new AuthenticationRejected('service account token: token audiences are not the API\'s');
    const ns = claims.namespace;
    await this.checkLive('serviceaccounts', ns, claims.serviceAccount);
    if (claims.pod) await this.checkLive('pods', ns, claims.pod);
    if (claims.secret) await this.checkLive('secrets', ns, claims.secret);
    return serviceAccountUser(ns, claims.serviceAccount.name, claims.serviceAccount.uid);
  }

  /** Upstream's validator: the bound object must be there, the same one, and not being deleted. */
  private async checkLive(resource: 'serviceaccounts' | 'pods' | 'secrets', namespace: string, ref: ObjectRef): Promise<void> {
    const live = await this.opts.get(resource, namespace, ref.name);
    const what = `${resource.replace(/s$/, '')} ${namespace}/${ref.name}`;
    if (!live) throw new AuthenticationRejected(`service account token: ${what} has been deleted`);
    if (live.metadata?.uid !== ref.uid) throw new AuthenticationRejected(`service account token: ${what} uid (${String(live.metadata?.uid)}) does not match the claim (${ref.uid})`);
    // A pod being deleted keeps its token through its grace period: its containers may still call.
    const deletion = live.metadata?.deletionTimestamp;
    if (resource !== 'serviceaccounts' && deletion && Date.parse(deletion) < this.opts.now()) throw new AuthenticationRejected(`service account token: ${what} has been deleted`);
  }
}
