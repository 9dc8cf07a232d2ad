// The API server's kubelet client certificate: issued once by the cluster CA with its subject and
// clientAuth, kept across starts, issued again when the CA changed.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ensureCA, ensureClientCert } from '../../../src-main/auth/ca.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubelab-client-cert-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const subject = 'CN=kube-apiserver-kubelet-client, O=system:masters';

it('issues the certificate once, signed by the CA, for client auth, and keeps it', async () => {
  const ca = await ensureCA(dir);
  const first = await ensureClientCert(dir, ca, 'apiserver-kubelet-client', subject);
  const cert = new X509Certificate(first.certPem);
  expect(cert.subject.split('\n').sort()).toEqual(['CN=kube-apiserver-kubelet-client', 'O=system:masters']);
  expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  expect((await ensureClientCert(dir, ca, 'apiserver-kubelet-client', subject)).certPem).toBe(first.certPem);
  mkdirSync(join(dir, 'other'));
  const otherCA = await ensureCA(join(dir, 'other'));
  const again = await ensureClientCert(dir, otherCA, 'apiserver-kubelet-client', subject);
  expect(again.certPem).not.toBe(first.certPem);
  expect(new X509Certificate(again.certPem).checkIssued(new X509Certificate(otherCA.certPem))).toBe(true);
});
