// The certificate manager with a real CA signing its requests (the CSR API's part is tested in
// the integration tests): it asks at once when it has nothing that fits, keeps and hands over
// what it gets, plans the next renewal inside 70–90 % of the life, and retries a refusal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ensureCA, issueCertificateForKey, type CertificateAuthority } from '../../../../src-main/auth/ca.ts';
import { CertificateManager, rotationDeadline, type KeyPair } from '../../../../src-main/agent/certificates/certificate-manager.ts';
import type { SigningRequest } from '../../../../src-main/agent/certificates/csr-client.ts';
import { pairFits } from '../../../../src-main/agent/certificates/pair-checks.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

let dir: string;
let ca: CertificateAuthority;
let otherCA: CertificateAuthority;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-cert-manager-'));
  ca = await ensureCA(dir);
  otherCA = await ensureCA(dir, { file: 'other', cn: 'other' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Signs the request's key for `days` with `by`, as the signing controller would. */
async function signWith(by: CertificateAuthority, req: SigningRequest, days = 10): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(req.requestPem);
  expect(await csr.verify()).toBe(true);
  return issueCertificateForKey(by, { subject: csr.subject, usages: ['1.3.6.1.5.5.7.3.2'], days }, csr.publicKey.toString('pem'));
}

function manager(sign: (req: SigningRequest) => Promise<string>, initial?: KeyPair) {
  const seen = { stored: [] as KeyPair[], rotated: [] as KeyPair[], requests: [] as SigningRequest[], log: [] as string[] };
  const m = new CertificateManager({
    name: 'client',
    initial,
    fits: (pair) => pairFits(pair, { caPem: ca.certPem, commonName: 'system:node:n1' }),
    template: () => ({ subject: { commonName: 'system:node:n1', organization: 'system:nodes' }, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] }),
    sign: (req) => {
      seen.requests.push(req);
      return sign(req);
    },
    store: (pair) => seen.stored.push(pair),
    rotated: (pair) => seen.rotated.push(pair),
    log: (l) => seen.log.push(l),
  });
  return { m, seen };
}

describe('rotationDeadline', () => {
  it('falls between 70 % and 90 % of the certificate\'s life', async () => {
    const { m } = manager((req) => signWith(ca, req, 100));
    m.start();
    await m.ready();
    m.stop();
    const cert = new X509Certificate(m.current()!.certPem);
    const from = Date.parse(cert.validFrom);
    const life = Date.parse(cert.validTo) - from;
    expect(rotationDeadline(m.current()!.certPem, () => 0)).toBe(from + life * 0.7);
    expect(rotationDeadline(m.current()!.certPem, () => 1)).toBe(from + life * 0.9);
  });
});

describe('CertificateManager', () => {
  it('asks at once when it starts with nothing, then stores and hands over a pair that fits', async () => {
    const { m, seen } = manager((req) => signWith(ca, req));
    expect(m.current()).toBeUndefined();
    m.start();
    await m.ready();
    m.stop();
    expect(seen.requests).toHaveLength(1);
    expect(seen.requests[0]).toMatchObject({ signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] });
    expect(seen.stored).toEqual([m.current()]);
    expect(seen.rotated).toEqual([m.current()]);
    expect(pairFits(m.current()!, { caPem: ca.certPem, commonName: 'system:node:n1' })).toBe(true);
    expect(seen.log.at(-1)).toMatch(/^agent: new client certificate, valid until .*; renewing at /);
  });

  it('keeps a stored pair that fits and asks nothing until its renewal time', async () => {
    const first = manager((req) => signWith(ca, req));
    first.m.start();
    await first.m.ready();
    first.m.stop();
    const { m, seen } = manager((req) => signWith(ca, req), first.m.current());
    m.start();
    await m.ready();
    await new Promise((r) => setTimeout(r, 100));
    m.stop();
    expect(seen.requests).toHaveLength(0);
    expect(m.current()).toEqual(first.m.current());
  });

  it('refuses a certificate from another CA and asks again after a backoff, serving nothing meanwhile', async () => {
    let calls = 0;
    const { m, seen } = manager((req) => signWith(++calls === 1 ? otherCA : ca, req));
    m.start();
    await m.ready();
    m.stop();
    expect(calls).toBe(2);
    expect(seen.stored).toHaveLength(1);
    expect(seen.log[0]).toMatch(/^agent: could not renew the client certificate \(the signed certificate does not match the request \(its key, names or issuer\)\); trying again in 1 s$/);
  });

  it('replaces a stored pair that no longer fits (another CA) at once', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stale = {
      certPem: await issueCertificateForKey(otherCA, { subject: 'CN=system:node:n1, O=system:nodes', usages: ['1.3.6.1.5.5.7.3.2'], days: 10 }, publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const { m, seen } = manager((req) => signWith(ca, req), stale);
    expect(m.current()).toBeUndefined();
    m.start();
    await m.ready();
    m.stop();
    expect(seen.requests).toHaveLength(1);
    expect(m.current()).not.toEqual(stale);
  });
});
