// Whether a stored certificate and key are one the agent may keep using: issued by the cluster
// CA (a self-signed one from an older agent is not), its key, not near its end, and naming
// what it must name. node:crypto alone (the bundle has no X.509 library).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyPair } from './certificate-manager.ts';

export interface PairExpectations {
  caPem: string;
  /** Every DNS name and IP the certificate must carry (a serving one's). */
  dns?: string[];
  ips?: string[];
  /** The subject's CN it must have. */
  commonName?: string;
  now?: number;
}

export function pairFits(pair: KeyPair, want: PairExpectations): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    const ca = new X509Certificate(want.caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) return false;
    if (Date.parse(cert.validTo) <= (want.now ?? Date.now())) return false;
    if (want.commonName !== undefined && /^CN=(.*)$/m.exec(cert.subject)?.[1] !== want.commonName) return false;
    return (want.dns ?? []).every((d) => cert.checkHost(d) === d) && (want.ips ?? []).every((ip) => cert.checkIP(ip) === ip);
  } catch {
    return false;
  }
}
