// A CertificateSigningRequest's spec.request: a PEM "CERTIFICATE REQUEST" (PKCS#10) whose
// self-signature verifies, as upstream's certificates.ParseCSR and CheckSignature. Checked
// synchronously with node:crypto (API validation is synchronous); @peculiar/x509 only parses.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const SAN_OID = '2.5.29.17';

export interface CertificateRequestInfo {
  /** The subject as @peculiar/x509 writes it ("CN=system:node:n1, O=system:nodes"). */
  subject: string;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  publicKey: KeyObject;
}

/** Thrown with the message upstream's validation puts under spec.request. */
export class CertificateRequestError extends Error {}

/** The first PEM block, as Go's pem.Decode finds it. */
function firstPemBlock(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^-\r\n]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  return { type: m[1], der: Buffer.from(m[2].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') };
}

/** The bytes of the DER element at offset: [start of contents, end of element]. */
function derElement(der: Buffer, offset: number): { contents: number; end: number } {
  if (offset + 2 > der.length) throw new CertificateRequestError('asn1: syntax error: data truncated');
  let len = der[offset + 1];
  let contents = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || contents + n > der.length) throw new CertificateRequestError('asn1: syntax error: invalid length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[contents + i];
    contents += n;
  }
  if (contents + len > der.length) throw new CertificateRequestError('asn1: syntax error: data truncated');
  return { contents, end: contents + len };
}

/** The signed part of a CertificationRequest: its first element, as it was encoded. */
function signedBytes(der: Buffer): Buffer {
  const outer = derElement(der, 0);
  const info = derElement(der, outer.contents);
  return der.subarray(outer.contents, info.end);
}

const hashNames: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function checkSignature(csr: x509.Pkcs10CertificateRequest, der: Buffer, key: KeyObject): void {
  const alg = csr.signatureAlgorithm as { name: string; hash?: { name: string } };
  const data = signedBytes(der);
  const signature = Buffer.from(csr.signature);
  let ok: boolean;
  if (alg.name === 'Ed25519') ok = verify(null, data, key, signature);
  else {
    const hash = alg.hash && hashNames[alg.hash.name];
    if (!hash || !['ECDSA', 'RSASSA-PKCS1-v1_5'].includes(alg.name)) throw new CertificateRequestError('x509: cannot verify signature: algorithm unimplemented');
    ok = verify(hash, data, key, signature);
  }
  if (!ok) throw new CertificateRequestError(`x509: ${alg.name === 'ECDSA' ? 'ECDSA verification failure' : 'verification error'}`);
}

function subjectAltNames(csr: x509.Pkcs10CertificateRequest): Pick<CertificateRequestInfo, 'dnsNames' | 'ipAddresses' | 'emailAddresses' | 'uris'> {
  const out = { dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[] };
  const ext = csr.extensions.find((e) => e.type === SAN_OID);
  if (!ext) return out;
  for (const n of new x509.SubjectAlternativeNameExtension(ext.rawData).names.toJSON()) {
    if (n.type === 'dns') out.dnsNames.push(n.value);
    else if (n.type === 'ip') out.ipAddresses.push(n.value);
    else if (n.type === 'email') out.emailAddresses.push(n.value);
    else if (n.type === 'url') out.uris.push(n.value);
  }
  return out;
}

function attribute(name: x509.Name, type: string): string[] {
  return name.toJSON().flatMap((rdn) => rdn[type] ?? []);
}

/** Parses and verifies a PEM CSR; throws CertificateRequestError with upstream's wording. */
export function parseCertificateRequest(pem: string): CertificateRequestInfo {
  const block = firstPemBlock(pem);
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new CertificateRequestError('PEM block type must be CERTIFICATE REQUEST');
  let csr: x509.Pkcs10CertificateRequest;
  let publicKey: KeyObject;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(block.der));
    publicKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  } catch (e) {
    throw new CertificateRequestError(`asn1: structure error: ${(e as Error).message}`);
  }
  checkSignature(csr, block.der, publicKey);
  return {
    subject: csr.subject,
    commonName: attribute(csr.subjectName, 'CN')[0] ?? '',
    organizations: attribute(csr.subjectName, 'O'),
    ...subjectAltNames(csr),
    publicKey,
  };
}
