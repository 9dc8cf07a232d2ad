// The agent's hand-built PKCS#10 requests: OpenSSL verifies their signature and reads the
// subject and names back, and @peculiar/x509 (what the API server validates with) agrees.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { certificateRequestPem } from '../../../../src-main/agent/certificates/certificate-request.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** OpenSSL's output, stdout then stderr (where `req -verify` says how it went). */
const openssl = (args: string[], input: string): string => {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return r.stdout + r.stderr;
};

describe('certificateRequestPem', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('makes a client request OpenSSL verifies, with O and CN and no attributes', async () => {
    const pem = certificateRequestPem(privateKey, publicKey, { commonName: 'system:node:n1', organization: 'system:nodes' });
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const text = openssl(['req', '-verify', '-noout', '-text'], pem);
    expect(text).toContain('verify OK');
    expect(text).toMatch(/O\s*=\s*system:nodes, CN\s*=\s*system:node:n1/);
    const req = new x509.Pkcs10CertificateRequest(pem);
    expect(await req.verify()).toBe(true);
    expect(req.subject).toBe('O=system:nodes, CN=system:node:n1');
    expect(req.extensions).toHaveLength(0);
    const spki = Buffer.from(req.publicKey.rawData);
    expect(spki.equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('carries the serving names in an extensionRequest', () => {
    const pem = certificateRequestPem(privateKey, publicKey, { commonName: 'system:node:n1', organization: 'system:nodes' }, { dns: ['n1', 'localhost'], ips: ['10.0.0.7', '127.0.0.1', 'fd00::1'] });
    const text = openssl(['req', '-verify', '-noout', '-text'], pem);
    expect(text).toContain('verify OK');
    expect(text).toContain('DNS:n1, DNS:localhost, IP Address:10.0.0.7, IP Address:127.0.0.1, IP Address:FD00:0:0:0:0:0:0:1');
    const req = new x509.Pkcs10CertificateRequest(pem);
    const san = req.extensions.find((e) => e.type === '2.5.29.17') as x509.SubjectAlternativeNameExtension;
    const names = san.names.toJSON();
    expect(names).toEqual([{ type: 'dns', value: 'n1' }, { type: 'dns', value: 'localhost' }, { type: 'ip', value: '10.0.0.7' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: 'fd00::1' }]);
  });

  it('is refused when signed by another key', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = certificateRequestPem(other.privateKey, publicKey, { commonName: 'system:node:n1' });
    // OpenSSL 3.0 says so on stderr but exits 0.
    expect(openssl(['req', '-verify', '-noout'], pem)).toContain('verify failure');
    expect(await new x509.Pkcs10CertificateRequest(pem).verify()).toBe(false);
  });
});
