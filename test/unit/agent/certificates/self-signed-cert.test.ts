// The agent's own serving certificate: parsed by node's X509 (OpenSSL), self-signature valid,
// names and usages as asked, and a real TLS handshake that verifies it against itself.
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { keyMatches, positiveSerial, selfSignedServingCert } from '../../../../src-main/agent/certificates/self-signed-cert.ts';

describe('selfSignedServingCert', () => {
  const made = selfSignedServingCert('node-a@kubelab', { dns: ['node-a', 'localhost'], ips: ['127.0.0.1', '10.0.0.7', '::1', 'fd00::1:2'] }, 365, Date.parse('2026-06-01T00:00:00Z'));
  const cert = new X509Certificate(made.certPem);

  it('is a v3 self-signed certificate with the names, validity and usages asked for', () => {
    expect(cert.subject).toBe('CN=node-a@kubelab');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-05-31T00:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2027-06-01T00:00:00.000Z');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.subjectAltName).toBe('DNS:node-a, DNS:localhost, IP Address:127.0.0.1, IP Address:10.0.0.7, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:1:2');
    expect(cert.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(cert.checkHost('other')).toBeUndefined();
    expect(keyMatches(cert.publicKey, made.keyPem)).toBe(true);
    expect(keyMatches(cert.publicKey, selfSignedServingCert('x', { dns: [], ips: [] }, 1).keyPem)).toBe(false);
  });

  it('writes serials OpenSSL accepts whatever the random bytes are', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const serial = positiveSerial(Buffer.from([first, 0x00, 0x12]));
      expect(serial[0]! & 0x80, `first byte ${first}`).toBe(0);
      expect(serial[0], `first byte ${first}`).not.toBe(0);
      expect(serial.subarray(1)).toEqual(Buffer.from([0x00, 0x12]));
    }
    // A real certificate carries such a serial: 16 bytes, first hex digit 4 to 7.
    const made = selfSignedServingCert('zero', { dns: [], ips: [] }, 1);
    expect(new X509Certificate(made.certPem).serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
  });

  it('serves TLS that a client trusting it verifies, for its name', async () => {
    const now = selfSignedServingCert('node-b@kubelab', { dns: ['node-b'], ips: ['127.0.0.1'] }, 30);
    const server = createServer({ cert: now.certPem, key: now.keyPem }, (s) => s.end('hi'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const socket = connect({ host: '127.0.0.1', port, ca: now.certPem, servername: 'node-b' });
    const [data] = await once(socket, 'data');
    expect(socket.authorized).toBe(true);
    expect(String(data)).toBe('hi');
    socket.destroy();
    server.close();
  });
});
