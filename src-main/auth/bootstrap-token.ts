// The join token a new node is given: k3s' secure token format around a kubeadm bootstrap token,
// `K10<sha256 hex of the cluster CA's PEM>::<id>.<secret>`. The hash lets the node check that it
// talks to the right cluster before it sends the secret anywhere; id.secret is the bearer
// token the API server knows as the Secret kube-system/bootstrap-token-<id>. Pure node:crypto:
// the agent bundle parses tokens too.
import { createHash, randomInt } from 'node:crypto';

/** What upstream names the token's parts and its Secret. */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';

const idPattern = /^[a-z0-9]{6}$/;
const secretPattern = /^[a-z0-9]{16}$/;
/** kubeadm's token regular expression: the bearer part of the join token. */
export const bootstrapTokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export interface JoinToken {
  /** Hex SHA-256 of the CA certificate PEM exactly as GET /cacerts serves it. */
  caHash: string;
  id: string;
  secret: string;
}

/** The error of a token that is not one: its message never repeats the secret. */
export class JoinTokenError extends Error {}

/** sha256 of the CA PEM, as the token carries it (k3s hashes the same bytes it serves). */
export function caHash(caPem: string | Buffer): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatJoinToken(t: JoinToken): string {
  return `K10${t.caHash}::${t.id}.${t.secret}`;
}

/** Parses a join token; a malformed one throws JoinTokenError saying which part is wrong. */
export function parseJoinToken(text: string): JoinToken {
  const token = text.trim();
  const shape = 'a join token looks like K10<sha256 of the cluster CA>::<id>.<secret>';
  if (!token.startsWith('K10')) throw new JoinTokenError(`the join token does not start with K10: ${shape}`);
  const sep = token.indexOf('::');
  if (sep < 0) throw new JoinTokenError(`the join token has no "::" between the CA hash and the credential: ${shape}`);
  const hash = token.slice(3, sep);
  if (!/^[0-9a-f]{64}$/i.test(hash)) throw new JoinTokenError(`the join token's CA hash is not 64 hexadecimal characters (a SHA-256): ${shape}`);
  const credential = token.slice(sep + 2);
  const dot = credential.indexOf('.');
  const id = dot < 0 ? credential : credential.slice(0, dot);
  const secret = dot < 0 ? '' : credential.slice(dot + 1);
  if (dot < 0) throw new JoinTokenError(`the join token's credential has no "." between its id and its secret: ${shape}`);
  if (!idPattern.test(id)) throw new JoinTokenError('the join token\'s id is not 6 characters of a-z and 0-9');
  if (!secretPattern.test(secret)) throw new JoinTokenError('the join token\'s secret is not 16 characters of a-z and 0-9');
  return { caHash: hash.toLowerCase(), id, secret };
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A fresh id and secret (kubeadm's GenerateBootstrapToken). */
export function generateBootstrapToken(): { id: string; secret: string } {
  return { id: randomString(6), secret: randomString(16) };
}
