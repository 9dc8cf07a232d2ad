// Client certificates over a real TLS connection: the server asks for one and accepts any, so a
// client without one still connects; one the cluster CA signed for client auth is the user of
// its CN in the groups of its O values; one another CA signed, or a serving certificate, is
// rejected rather than taken for anonymous.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuthenticationRejected } from '../../../src-main/auth/authenticator.ts';
import { ensureCA, issueCertificate, issueCertificateForKey, type CertificateAuthority } from '../../../src-main/auth/ca.ts';
import { ClientCertAuthenticator, requestClientCertificate } from '../../../src-main/auth/client-cert-authenticator.ts';

const clientAuth = '1.3.6.1.5.5.7.3.2';
const serverAuth = '1.3.6.1.5.5.7.3.1';
let dir: string;
let ca: CertificateAuthority;
let other: CertificateAuthority;
let server: https.Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-client-cert-auth-'));
  mkdirSync(join(dir, 'other'));
  ca = await ensureCA(dir);
  other = await ensureCA(join(dir, 'other'));
  const serving = await issueCertificate(ca, { subject: 'CN=kube-apiserver', sans: { dns: ['localhost'], ips: ['127.0.0.1'] }, usages: [serverAuth], days: 1 });
  const authenticator = new ClientCertAuthenticator();
  server = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, ...requestClientCertificate }, (req, res) => {
    let answer: string;
    try {
      const user = authenticator.authenticate(req);
      answer = user ? `${user.name} [${user.groups.join(' ')}]` : 'no certificate';
      if ((req.socket as TLSSocket).isSessionReused()) answer += ' (resumed)';
    } catch (e) {
      answer = e instanceof AuthenticationRejected ? 'rejected' : `error: ${(e as Error).message}`;
    }
    res.end(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function call(client?: { certPem: string; keyPem: string }, agent: https.Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', ca: ca.certPem, cert: client?.certPem, key: client?.keyPem, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

it('knows a certificate the CA signed as its CN, in its O groups', async () => {
  const node = await issueCertificate(ca, { subject: 'CN=system:node:n1, O=system:nodes', usages: [clientAuth], days: 1 });
  expect(await call(node)).toBe('system:node:n1 [system:nodes system:authenticated]');
  const two = await issueCertificate(ca, { subject: 'CN=jane, O=dev, O=ops', usages: [clientAuth], days: 1 });
  expect(await call(two)).toBe('jane [dev ops system:authenticated]');
});

it('signs a key the requester keeps (the node credential), and that certificate authenticates', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certPem = await issueCertificateForKey(ca, { subject: 'CN=system:node:n2, O=system:nodes', usages: [clientAuth], days: 1 }, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const cert = new X509Certificate(certPem);
  expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  expect(cert.checkPrivateKey(privateKey)).toBe(true);
  expect(await call({ certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() })).toBe('system:node:n2 [system:nodes system:authenticated]');
});

it('lets a client without a certificate connect (tokens, anonymous)', async () => {
  expect(await call()).toBe('no certificate');
});

it('rejects a certificate from another CA, and one not meant for client auth', async () => {
  const foreign = await issueCertificate(other, { subject: 'CN=system:node:n1, O=system:nodes', usages: [clientAuth], days: 1 });
  expect(await call(foreign)).toBe('rejected');
  const serving = await issueCertificate(ca, { subject: 'CN=system:node:n1, O=system:nodes', usages: [serverAuth], days: 1 });
  expect(await call(serving)).toBe('rejected');
});

it('knows the certificate on a resumed TLS session too (a client reconnecting)', async () => {
  const node = await issueCertificate(ca, { subject: 'CN=system:node:n3, O=system:nodes', usages: [clientAuth], days: 1 });
  const agent = new https.Agent({ keepAlive: false, ca: ca.certPem, cert: node.certPem, key: node.keyPem });
  try {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await call(node, agent));
    expect(answers[0]).toBe('system:node:n3 [system:nodes system:authenticated]');
    expect(answers.slice(1)).toEqual(['system:node:n3 [system:nodes system:authenticated] (resumed)', 'system:node:n3 [system:nodes system:authenticated] (resumed)']);
  } finally {
    agent.destroy();
  }
});

it('rejects a certificate that expired while its kept-alive connection stayed open', async () => {
  const short = await issueCertificate(ca, { subject: 'CN=brief', usages: [clientAuth], days: 2 / 86_400 });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    expect(await call(short, agent)).toBe('brief [system:authenticated]');
    await new Promise((r) => setTimeout(r, Date.parse(new X509Certificate(short.certPem).validTo) - Date.now() + 200));
    // The same socket (no new handshake to fail): the authenticator itself must see the date.
    expect(await call(short, agent)).toBe('rejected');
  } finally {
    agent.destroy();
  }
});

it('rejects a tampered certificate: its CN changed after signing, the key still the holder\'s', async () => {
  const alice = await issueCertificate(ca, { subject: 'CN=alice, O=dev', usages: [clientAuth], days: 1 });
  expect(await call(alice)).toBe('alice [dev system:authenticated]');
  const der = Buffer.from(alice.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const at = der.indexOf('alice');
  expect(at).toBeGreaterThan(0);
  der.write('admin', at);
  const tampered = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  expect(new X509Certificate(tampered).subject).toContain('CN=admin');
  expect(await call({ certPem: tampered, keyPem: alice.keyPem })).toBe('rejected');
});
