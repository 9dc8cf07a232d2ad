// Upstream's bootstrap token authenticator (plugin/pkg/auth/authenticator/token/bootstrap): a
// bearer token shaped <id>.<secret> is looked up as the Secret kube-system/bootstrap-token-<id>
// and, when that Secret says so, is the user system:bootstrap:<id> in system:bootstrappers.
// The Secret is read afresh on every request (from the store, in memory) so that a token used or
// deleted a moment ago is refused at once: joins are rare, a stale cache would be a hole.
import type { IncomingMessage } from 'node:http';
import type { Secret } from 'kubernetes-types/core/v1';
import { AuthenticationRejected, bearerToken, type Authenticator, type UserInfo } from './authenticator.ts';
import { BOOTSTRAP_USER_PREFIX, BOOTSTRAPPERS_GROUP } from './bootstrap-token.ts';
import { checkBootstrapTokenSecret, splitBootstrapToken } from './bootstrap-token-secret.ts';

export interface BootstrapTokenAuthenticatorOptions {
  /** The Secret kube-system/bootstrap-token-<id>, or undefined when there is none. */
  secret(id: string): Promise<Secret | undefined>;
  /** The API server's clock. */
  now(): number;
}

export const bootstrapUser = (id: string): UserInfo => ({ name: `${BOOTSTRAP_USER_PREFIX}${id}`, groups: [BOOTSTRAPPERS_GROUP, 'system:authenticated'] });

export class BootstrapTokenAuthenticator implements Authenticator {
  constructor(private readonly opts: BootstrapTokenAuthenticatorOptions) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const bearer = bearerToken(req);
    const token = bearer === undefined ? undefined : splitBootstrapToken(bearer);
    if (!token) return undefined;
    const secret = await this.opts.secret(token.id);
    if (!secret) throw new AuthenticationRejected(`bootstrap token ${token.id}: no such token (unknown, used or expired)`);
    const check = checkBootstrapTokenSecret(secret, token.id, token.secret, this.opts.now());
    if (!check.valid) throw new AuthenticationRejected(`bootstrap token ${token.id}: ${check.reason}`);
    return bootstrapUser(token.id);
  }
}
