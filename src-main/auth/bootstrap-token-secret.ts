// A bootstrap token as the cluster stores it: the Secret kube-system/bootstrap-token-<id> of type
// bootstrap.kubernetes.io/token, with the keys kubeadm writes (token-id, token-secret, expiration
// in RFC 3339, usage-bootstrap-authentication, description). The provisioner makes one per join
// through the admin client and deletes it afterwards; the API server reads it to authenticate.
import { timingSafeEqual } from 'node:crypto';
import type { Secret } from 'kubernetes-types/core/v1';
import type { KubeClient } from '../client/kube-client.ts';
import { isNotFound } from '../client/api-error.ts';
import { gvr } from '../client/resources.ts';
import { BOOTSTRAP_TOKEN_SECRET_PREFIX, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapTokenPattern, caHash, formatJoinToken, generateBootstrapToken } from './bootstrap-token.ts';

export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';

export const bootstrapTokenSecretName = (id: string): string => `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`;

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function dataValue(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

export function bootstrapTokenSecret(id: string, secret: string, expires: Date, description: string): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data: {
      'token-id': b64(id),
      'token-secret': b64(secret),
      expiration: b64(expires.toISOString().replace(/\.\d{3}Z$/, 'Z')),
      'usage-bootstrap-authentication': b64('true'),
      description: b64(description),
    },
  };
}

/** When the token's Secret stops being valid, or undefined when it has no (readable) expiration. */
export function bootstrapTokenExpiration(secret: Secret): number | undefined {
  const text = dataValue(secret, 'expiration');
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Whether the Secret makes `<id>.<secret>` a valid authentication token at `now`, as upstream's
 * bootstrap authenticator decides: the right type and id, the same secret (compared in
 * constant time), usage-bootstrap-authentication "true", not expired, not being deleted. The
 * answer is the reason it is not, for the API server's log; never the secret.
 */
export function checkBootstrapTokenSecret(secret: Secret, id: string, tokenSecret: string, now: number): { valid: true } | { valid: false; reason: string } {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return { valid: false, reason: `secret has type ${secret.type}` };
  if (secret.metadata?.deletionTimestamp) return { valid: false, reason: 'token is being deleted' };
  if (dataValue(secret, 'token-id') !== id) return { valid: false, reason: 'token id does not match its secret\'s name' };
  const stored = Buffer.from(dataValue(secret, 'token-secret') ?? '');
  const given = Buffer.from(tokenSecret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return { valid: false, reason: 'wrong token secret' };
  if (dataValue(secret, 'usage-bootstrap-authentication') !== 'true') return { valid: false, reason: 'token may not be used for authentication' };
  const expires = bootstrapTokenExpiration(secret);
  if (dataValue(secret, 'expiration') !== undefined && expires === undefined) return { valid: false, reason: 'token has an unreadable expiration' };
  if (expires !== undefined && now >= expires) return { valid: false, reason: 'token has expired' };
  return { valid: true };
}

export interface CreateBootstrapTokenOptions {
  /** How long the token may be used (the Secret is deleted by the token cleaner after). */
  ttlSeconds: number;
  description: string;
  /** The CA PEM exactly as GET /cacerts serves it (ControlPlane.caPem). */
  caPem: string;
  /** The time the expiration counts from (the control plane's clock); now by default. */
  now?: number;
}

/** Makes a one-time join token and its Secret through the (admin) client. */
export async function createBootstrapToken(client: KubeClient, opts: CreateBootstrapTokenOptions): Promise<{ token: string; id: string; expires: Date }> {
  if (!(Number.isInteger(opts.ttlSeconds) && opts.ttlSeconds > 0)) throw new Error(`a bootstrap token's ttlSeconds must be a positive whole number, not ${opts.ttlSeconds}`);
  const { id, secret } = generateBootstrapToken();
  const expires = new Date((opts.now ?? Date.now()) + opts.ttlSeconds * 1000);
  await client.create(gvr.secrets, bootstrapTokenSecret(id, secret, expires, opts.description));
  return { token: formatJoinToken({ caHash: caHash(opts.caPem), id, secret }), id, expires };
}

/** Deletes a token's Secret; a token already gone (used, expired and cleaned) is not an error. */
export async function deleteBootstrapToken(client: KubeClient, id: string): Promise<void> {
  if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`"${id}" is not a bootstrap token id (6 characters of a-z and 0-9)`);
  try {
    await client.delete(gvr.secrets, BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id));
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** `<id>.<secret>` split, or undefined when the bearer token is not shaped as a bootstrap token. */
export function splitBootstrapToken(bearer: string): { id: string; secret: string } | undefined {
  const m = bootstrapTokenPattern.exec(bearer);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}
