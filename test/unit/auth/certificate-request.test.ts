import { describe, expect, it } from 'vitest';
import { CertificateRequestError, parseCertificateRequest } from '../../../src-main/auth/certificates/certificate-request.ts';
import { handBuiltCSR, toPem } from './csr-der.ts';

describe('parseCertificateRequest', () => {
  it("accepts the agent's minimal hand-built request (no attributes) and reads its subject and key", () => {
    const csr = handBuiltCSR('system:node:n1', 'system:nodes');
    const info = parseCertificateRequest(csr.pem);
    expect([info.commonName, info.organizations, info.dnsNames, info.ipAddresses]).toEqual(['system:node:n1', ['system:nodes'], [], []]);
    expect(info.publicKey.export({ type: 'spki', format: 'der' }).equals(csr.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('reads DNS and IP SANs from the extensionRequest attribute', () => {
    const info = parseCertificateRequest(handBuiltCSR('system:node:n1', 'system:nodes', { dns: ['n1', 'localhost'], ips: ['10.0.0.5'] }).pem);
    expect([info.dnsNames, info.ipAddresses]).toEqual([['n1', 'localhost'], ['10.0.0.5']]);
  });

  it('refuses what is not a PEM CERTIFICATE REQUEST, and a signature that does not verify', () => {
    const csr = handBuiltCSR('system:node:n1', 'system:nodes');
    const refusal = (pem: string) => {
      try {
        parseCertificateRequest(pem);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(CertificateRequestError);
        return (e as Error).message;
      }
    };
    expect(refusal('hello')).toBe('PEM block type must be CERTIFICATE REQUEST');
    expect(refusal(toPem(csr.der, 'CERTIFICATE'))).toBe('PEM block type must be CERTIFICATE REQUEST');
    // The subject's last letter changed after signing.
    const tampered = Buffer.from(csr.der);
    tampered[tampered.indexOf(Buffer.from('system:nodes')) + 11] ^= 1;
    expect(refusal(toPem(tampered))).toBe('x509: ECDSA verification failure');
    expect(refusal(toPem(csr.der.subarray(0, 40)))).toMatch(/^asn1: /);
  });
});
