// The claims of a bound service-account token, as upstream's serviceaccount.Claims: who
// (sub, and kubernetes.io.serviceaccount with its uid), for whom (aud), how long (iat, nbf, exp)
// and what it is bound to (a pod and its node, or a secret): deleting that object, or the
// service account, revokes the token.
import { randomUUID } from 'node:crypto';
import type { Claims } from './jwt.ts';

/** The issuer, and the API server's audience (kube-apiserver's --api-audiences defaults to it). */
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const API_AUDIENCES: readonly string[] = [ISSUER];

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface TokenSubject {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The pod's node; its uid is absent when the node object is not there. */
  node?: { name: string; uid?: string };
}

export interface PrivateClaims extends TokenSubject {
  audiences: string[];
  issuedAt: number;
  expiresAt: number;
}

/** The JWT claims set, times in seconds since the epoch. */
export function tokenClaims(subject: TokenSubject, audiences: string[], nowSeconds: number, expirationSeconds: number): Claims {
  const k8s: Record<string, unknown> = { namespace: subject.namespace, serviceaccount: subject.serviceAccount };
  if (subject.node) k8s.node = subject.node;
  if (subject.pod) k8s.pod = subject.pod;
  if (subject.secret) k8s.secret = subject.secret;
  return {
    aud: audiences,
    exp: nowSeconds + expirationSeconds,
    iat: nowSeconds,
    iss: ISSUER,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: nowSeconds,
    sub: `${SERVICE_ACCOUNT_USER_PREFIX}${subject.namespace}:${subject.serviceAccount.name}`,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';

function ref(v: unknown): ObjectRef | undefined {
  return isRecord(v) && isString(v.name) && isString(v.uid) ? { name: v.name, uid: v.uid } : undefined;
}

/** The claims of a verified token, or the reason they are not a service-account token's. */
export function readClaims(claims: Claims): PrivateClaims | string {
  const k8s = claims['kubernetes.io'];
  if (!isRecord(k8s) || !isString(k8s.namespace)) return 'no kubernetes.io namespace claim';
  const serviceAccount = ref(k8s.serviceaccount);
  if (!serviceAccount) return 'no kubernetes.io serviceaccount claim';
  if (claims.sub !== `${SERVICE_ACCOUNT_USER_PREFIX}${k8s.namespace}:${serviceAccount.name}`) return 'sub does not name the service account';
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return 'no exp or iat claim';
  const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!Array.isArray(aud) || !aud.every(isString)) return 'no aud claim';
  const out: PrivateClaims = { namespace: k8s.namespace, serviceAccount, audiences: aud, issuedAt: claims.iat, expiresAt: claims.exp };
  if (k8s.pod !== undefined && !(out.pod = ref(k8s.pod))) return 'malformed kubernetes.io pod claim';
  if (k8s.secret !== undefined && !(out.secret = ref(k8s.secret))) return 'malformed kubernetes.io secret claim';
  return out;
}
