// Compact JWS with ES256 (RFC 7515/7518), all a service-account token needs: node:crypto signs
// and verifies; no JWT library. The signature is the raw r||s pair (ieee-p1363), as JOSE wants.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export type Claims = Record<string, unknown>;

/** A token that is not a well-formed ES256 JWS signed by the given key. */
export class InvalidToken extends Error {}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The key ID upstream gives a signing key: the base64url SHA-256 of its public key's DER. */
export function keyID(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

export function signJWT(claims: Claims, privateKey: KeyObject, kid: string): string {
  const signingInput = `${encode({ alg: 'ES256', kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

function decodePart(part: string, what: string): Claims {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Claims;
  } catch {
    // fall through to the error below
  }
  throw new InvalidToken(`malformed ${what}`);
}

const base64url = /^[A-Za-z0-9_-]+$/;

function split(token: string): [string, string, string] {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => base64url.test(p))) throw new InvalidToken('not a compact JWS');
  return parts as [string, string, string];
}

/**
 * The claims as the token states them, unverified: only to tell whose token it is (its issuer)
 * before checking it. undefined when it is not a JWT at all.
 */
export function unverifiedClaims(token: string): Claims | undefined {
  try {
    return decodePart(split(token)[1], 'payload');
  } catch {
    return undefined;
  }
}

/** The claims of a token publicKey signed with ES256; throws InvalidToken otherwise. */
export function verifyJWT(token: string, publicKey: KeyObject): Claims {
  const [header, payload, signature] = split(token);
  const h = decodePart(header, 'header');
  // Only the one algorithm we sign with: "none" or an HMAC keyed with the public key never pass.
  if (h.alg !== 'ES256') throw new InvalidToken(`unsupported signing algorithm ${JSON.stringify(h.alg)}`);
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new InvalidToken('invalid signature');
  return decodePart(payload, 'payload');
}
