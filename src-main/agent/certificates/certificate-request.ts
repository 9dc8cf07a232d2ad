// A PKCS#10 certificate request (RFC 2986) for the node's own key, as the kubelet sends in a
// CertificateSigningRequest: ECDSA P-256 with SHA-256, subject CN=system:node:<name>,
// O=system:nodes, and for a serving certificate its DNS names and IPs in an extensionRequest.
import { sign, type KeyObject } from 'node:crypto';
import { altNames, bitString, der, ECDSA_SHA256, explicit, extension, name, OID, oid, seq, set, toPem } from './der.ts';

export interface RequestSubject {
  commonName: string;
  organization?: string;
}

/** The request's PEM; the signature proves the requester holds the private key. */
export function certificateRequestPem(privateKey: KeyObject, publicKey: KeyObject, subject: RequestSubject, sans?: { dns: string[]; ips: string[] }): string {
  const attributes = sans && (sans.dns.length > 0 || sans.ips.length > 0)
    ? [seq(oid(OID.extensionRequest), set(seq(extension(OID.subjectAltName, false, altNames(sans)))))]
    : [];
  const info = seq(
    der(0x02, Buffer.from([0])),
    name([...(subject.organization ? [[OID.organization, subject.organization] as [string, string]] : []), [OID.commonName, subject.commonName]]),
    publicKey.export({ type: 'spki', format: 'der' }),
    // attributes [0] IMPLICIT SET OF Attribute: present even when empty, as RFC 2986 asks.
    explicit(0, ...attributes),
  );
  return toPem(seq(info, ECDSA_SHA256, bitString(sign('sha256', info, privateKey))), 'CERTIFICATE REQUEST');
}
