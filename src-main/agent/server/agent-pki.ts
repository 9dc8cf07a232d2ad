// The agent's serving certificate, made by the agent itself as the kubelet does without
// --tls-cert-file: a self-signed one for the node's name and addresses (<stateDir>/pki/kubelet.crt
// and kubelet.key), made again when a name is missing or it is within 30 days of its end. The API
// server does not verify it yet (as upstream without --kubelet-certificate-authority); a
// cluster-signed one comes with the security issue.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';
import { keyMatches, selfSignedServingCert, type SelfSignedCert } from './self-signed-cert.ts';

const DAYS = 365;
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

function stillGood(certPem: string, keyPem: string, dns: string[], ips: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_MS && dns.every((d) => cert.checkHost(d) === d) && ips.every((ip) => cert.checkIP(ip) === ip) && keyMatches(cert.publicKey, keyPem);
  } catch {
    return false;
  }
}

export async function agentServingCert(stateDir: string, nodeName: string, ips: string[]): Promise<SelfSignedCert> {
  const dir = join(stateDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dns = [...new Set([nodeName, hostname(), 'localhost'])];
  const allIPs = [...new Set(['127.0.0.1', ...ips])];
  const certPath = join(dir, 'kubelet.crt');
  const keyPath = join(dir, 'kubelet.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const stored = { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
    if (stillGood(stored.certPem, stored.keyPem, dns, allIPs)) return stored;
  }
  const made = selfSignedServingCert(`${nodeName}@kubelab`, { dns, ips: allIPs }, DAYS);
  writeFileAtomic(keyPath, made.keyPem, 0o600);
  writeFileAtomic(certPath, made.certPem, 0o644);
  return made;
}
