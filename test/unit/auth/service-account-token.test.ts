// Service-account tokens as the API server signs and judges them: an ES256 JWT with upstream's
// claims is system:serviceaccount:<ns>:<name> while it is within its lifetime, meant for the API,
// signed with the cluster's key and its service account (and bound pod) still exist with the same
// uid; a tampered, foreign-key, expired, wrong-audience or orphaned token is rejected (401).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationRejected } from '../../../src-main/auth/authenticator.ts';
import { API_AUDIENCES, ISSUER } from '../../../src-main/auth/service-account/claims.ts';
import { InvalidToken, keyID, signJWT, verifyJWT } from '../../../src-main/auth/service-account/jwt.ts';
import { ensureServiceAccountKey } from '../../../src-main/auth/service-account/signing-key.ts';
import { ServiceAccountTokenAuthenticator } from '../../../src-main/auth/service-account/token-authenticator.ts';
import { ServiceAccountTokenIssuer } from '../../../src-main/auth/service-account/token-issuer.ts';

const dir = mkdtempSync(join(tmpdir(), 'sa-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = ensureServiceAccountKey(dir);
const now = Date.parse('2026-06-01T12:00:00Z');
let clock = now;
const objects = new Map<string, { metadata: { uid: string; deletionTimestamp?: string } }>([
  ['serviceaccounts/team/robot', { metadata: { uid: 'sa-uid' } }],
  ['pods/team/web', { metadata: { uid: 'pod-uid' } }],
]);
const authenticator = new ServiceAccountTokenAuthenticator({
  publicKey: key.publicKey,
  audiences: API_AUDIENCES,
  get: async (resource, ns, name) => objects.get(`${resource}/${ns}/${name}`),
  now: () => clock,
});
const issuer = new ServiceAccountTokenIssuer(key, () => now);
const subject = { namespace: 'team', serviceAccount: { name: 'robot', uid: 'sa-uid' } };
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as IncomingMessage;

async function rejection(token: string): Promise<string> {
  clock = now;
  const err = await authenticator.authenticate(bearer(token)).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthenticationRejected);
  return (err as Error).message;
}

describe('the signing key', () => {
  it('is made once, kept in pki/sa.key (0600) and pki/sa.pub, and loaded again', () => {
    expect(statSync(join(dir, 'sa.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sa.pub')).isFile()).toBe(true);
    const again = ensureServiceAccountKey(dir);
    expect(again.kid).toBe(key.kid);
    expect(again.kid).toBe(keyID(key.publicKey));
  });
});

describe('JWT signing and verification', () => {
  it('round-trips the claims, with an ES256 header naming the key', () => {
    const token = signJWT({ a: 1 }, key.privateKey, key.kid);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'ES256', kid: key.kid });
    expect(verifyJWT(token, key.publicKey)).toEqual({ a: 1 });
  });

  it('refuses a changed payload, a changed signature, another key and alg none', () => {
    const token = signJWT({ sub: 'a' }, key.privateKey, key.kid);
    const [h, p, s] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'b' })).toString('base64url');
    expect(() => verifyJWT(`${h}.${forgedPayload}.${s}`, key.publicKey)).toThrow(InvalidToken);
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] ^= 1;
    expect(() => verifyJWT(`${h}.${p}.${flipped.toString('base64url')}`, key.publicKey)).toThrow('invalid signature');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => verifyJWT(signJWT({ sub: 'a' }, other.privateKey, 'x'), key.publicKey)).toThrow('invalid signature');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.${s}`;
    expect(() => verifyJWT(none, key.publicKey)).toThrow('unsupported signing algorithm');
    expect(() => verifyJWT('a.b', key.publicKey)).toThrow('not a compact JWS');
  });
});

describe('service-account tokens', () => {
  it('carry upstream claims: iss, sub, aud, iat = nbf, exp, jti and kubernetes.io', () => {
    const { token, expirationTimestamp } = issuer.issue({ ...subject, pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'pi-1', uid: 'node-uid' } }, ['api'], 3600);
    const claims = verifyJWT(token, key.publicKey);
    const t = now / 1000;
    expect(claims).toMatchObject({
      iss: ISSUER,
      sub: 'system:serviceaccount:team:robot',
      aud: ['api'],
      iat: t,
      nbf: t,
      exp: t + 3600,
      'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'robot', uid: 'sa-uid' }, pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'pi-1', uid: 'node-uid' } },
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(expirationTimestamp.getTime()).toBe(now + 3600_000);
  });

  it('authenticate as the service account, in its groups', async () => {
    clock = now + 60_000;
    const user = await authenticator.authenticate(bearer(issuer.issue(subject, [...API_AUDIENCES], 3600).token));
    expect(user).toEqual({ name: 'system:serviceaccount:team:robot', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] });
  });

  it('leave tokens that are not JWTs of this issuer to the other authenticators', async () => {
    expect(await authenticator.authenticate(bearer('abcdef.0123456789abcdef'))).toBeUndefined();
    expect(await authenticator.authenticate(bearer(signJWT({ iss: 'https://elsewhere' }, key.privateKey, key.kid)))).toBeUndefined();
    expect(await authenticator.authenticate({ headers: {} } as IncomingMessage)).toBeUndefined();
  });

  it('are rejected when expired (beyond a minute of skew), or not valid yet', async () => {
    const token = issuer.issue(subject, [...API_AUDIENCES], 600).token;
    clock = now + 600_000 + 59_000;
    expect(await authenticator.authenticate(bearer(token))).toMatchObject({ name: 'system:serviceaccount:team:robot' });
    clock = now + 600_000 + 61_000;
    await expect(authenticator.authenticate(bearer(token))).rejects.toThrow('has expired');
    clock = now - 120_000;
    await expect(authenticator.authenticate(bearer(token))).rejects.toThrow('not valid yet');
  });

  it('are rejected when tampered, signed by another key or for another audience', async () => {
    const token = issuer.issue(subject, [...API_AUDIENCES], 3600).token;
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    expect(await rejection(`${h}.${forged}.${s}`)).toMatch(/invalid signature/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await rejection(new ServiceAccountTokenIssuer({ privateKey: other.privateKey, kid: key.kid }, () => now).issue(subject, [...API_AUDIENCES], 3600).token)).toMatch(/invalid signature/);
    expect(await rejection(issuer.issue(subject, ['vault'], 3600).token)).toMatch(/audiences/);
  });

  it('die with their service account or bound pod (gone, or replaced by one with another uid)', async () => {
    expect(await rejection(issuer.issue({ ...subject, serviceAccount: { name: 'gone', uid: 'x' } }, [...API_AUDIENCES], 3600).token)).toMatch(/serviceaccount team\/gone has been deleted/);
    expect(await rejection(issuer.issue({ ...subject, serviceAccount: { name: 'robot', uid: 'old-uid' } }, [...API_AUDIENCES], 3600).token)).toMatch(/uid/);
    expect(await rejection(issuer.issue({ ...subject, pod: { name: 'web', uid: 'old-pod' } }, [...API_AUDIENCES], 3600).token)).toMatch(/pod team\/web uid/);
    objects.set('pods/team/ending', { metadata: { uid: 'e', deletionTimestamp: new Date(now - 1000).toISOString() } });
    expect(await rejection(issuer.issue({ ...subject, pod: { name: 'ending', uid: 'e' } }, [...API_AUDIENCES], 3600).token)).toMatch(/has been deleted/);
  });

  it('review for other audiences only when asked with them', async () => {
    clock = now;
    const vault = issuer.issue(subject, ['vault'], 3600).token;
    expect(await authenticator.reviewFor(vault, ['vault'])).toMatchObject({ name: 'system:serviceaccount:team:robot' });
    expect(await authenticator.reviewFor('not-a-jwt', ['vault'])).toBeUndefined();
  });
});
