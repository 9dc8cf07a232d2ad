// The cluster CA and the API server's serving certificate, made on first start and kept in the
// data folder (keys 0600). ECDSA P-256 through WebCrypto and @peculiar/x509: no openssl needed.
import { createPublicKey, randomBytes, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { writeFileAtomic } from '../util/files.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const day = 24 * 60 * 60 * 1000;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKey(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/**
 * Loads the CA from dir, or makes one (ten years) on first start. `name` is the files' base name
 * and the CN's prefix: the cluster's is ca.crt / kubelab-ca@…; an agent's own is its kubelet-ca.
 */
export async function ensureCA(dir: string, name = { file: 'ca', cn: 'kubelab-ca' }): Promise<CertificateAuthority> {
  const certPath = join(dir, `${name.file}.crt`);
  const keyPath = join(dir, `${name.file}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name.cn}@${Math.floor(now / 1000)}`,
    notBefore: new Date(now - day),
    notAfter: new Date(now + 3650 * day),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const ca = { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
  writeFileAtomic(keyPath, ca.keyPem, 0o600);
  writeFileAtomic(certPath, ca.certPem, 0o644);
  return ca;
}

export interface SubjectAltNames {
  dns: string[];
  ips: string[];
  /** What a CSR may ask for besides (rfc822Name, URI). */
  emails?: string[];
  uris?: string[];
}

function coversAll(cert: x509.X509Certificate, sans: SubjectAltNames): boolean {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return false;
  const names = ext.names.toJSON();
  const have = new Set(names.map((n) => `${n.type}:${n.value}`));
  return sans.dns.every((d) => have.has(`dns:${d}`)) && sans.ips.every((ip) => have.has(`ip:${ip}`)) && cert.notAfter.getTime() > Date.now() + 30 * day;
}

/**
 * Loads the serving certificate, or issues a new one when it is missing a name or near expiry.
 * The API server's is apiserver.crt (CN=kube-apiserver); an agent's is kubelet.crt.
 */
export async function ensureServingCert(dir: string, ca: CertificateAuthority, sans: SubjectAltNames, name = { file: 'apiserver', subject: 'CN=kube-apiserver' }): Promise<ServingCertificate> {
  return ensureLeaf(dir, name.file, (cert) => coversAll(cert, sans), () => issueCertificate(ca, { subject: name.subject, sans, usages: [x509.ExtendedKeyUsage.serverAuth], days: 365 * 2 }));
}

/**
 * A client certificate the CA issues once and the data folder keeps (the API server's
 * apiserver-kubelet-client, as kubeadm names it), renewed near expiry or when the CA changed.
 */
export async function ensureClientCert(dir: string, ca: CertificateAuthority, file: string, subject: string): Promise<ServingCertificate> {
  const caKey = new NodeX509(ca.certPem).publicKey;
  // Signed by this CA (its name alone would not tell two CAs made in the same second apart).
  const signed = (cert: x509.X509Certificate) => new NodeX509(cert.toString('pem')).verify(caKey);
  const valid = (cert: x509.X509Certificate) => signed(cert) && cert.subject === new x509.Name(subject).toString() && cert.notAfter.getTime() > Date.now() + 30 * day;
  return ensureLeaf(dir, file, valid, () => issueCertificate(ca, { subject, usages: [x509.ExtendedKeyUsage.clientAuth], days: 365 }));
}

async function ensureLeaf(dir: string, file: string, valid: (cert: x509.X509Certificate) => boolean, issue: () => Promise<ServingCertificate>): Promise<ServingCertificate> {
  const certPath = join(dir, `${file}.crt`);
  const keyPath = join(dir, `${file}.key`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8');
    if (valid(new x509.X509Certificate(certPem))) return { certPem, keyPem: readFileSync(keyPath, 'utf8') };
  }
  const issued = await issue();
  writeFileAtomic(keyPath, issued.keyPem, 0o600);
  writeFileAtomic(certPath, issued.certPem, 0o644);
  return issued;
}

export interface CertificateRequest {
  subject: string;
  sans?: SubjectAltNames;
  /** Extended key usages (OIDs). */
  usages: string[];
  /** Key usages (x509.KeyUsageFlags); default digital signature and key encipherment. */
  keyUsages?: number;
  /** How long it is valid: days, or durationSeconds when given. */
  days: number;
  durationSeconds?: number;
  /** How far notBefore lies before now, for clocks behind ours (default 60 s). */
  backdateSeconds?: number;
}

/** Issues a leaf certificate signed by the CA, with a fresh key. */
export async function issueCertificate(ca: CertificateAuthority, req: CertificateRequest): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeys();
  return { certPem: await signCertificate(ca, req, keys.publicKey), keyPem: await exportKey(keys.privateKey) };
}

/** The WebCrypto algorithm a SubjectPublicKeyInfo's key is imported with. */
function importAlgorithm(spkiPem: string): EcKeyImportParams | RsaHashedImportParams | Algorithm {
  const key = createPublicKey(spkiPem);
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ed25519') return { name: 'Ed25519' };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1')) return { name: 'ECDSA', namedCurve: curve === 'prime256v1' ? 'P-256' : 'P-384' };
  throw new Error(`unsupported public key type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}`);
}

/**
 * Issues a leaf certificate for a key pair the requester keeps (a node's: its private key never
 * leaves the node). publicKeyPem is a SubjectPublicKeyInfo (ECDSA P-256/P-384, RSA, Ed25519).
 */
export async function issueCertificateForKey(ca: CertificateAuthority, req: CertificateRequest, publicKeyPem: string): Promise<string> {
  const publicKey = await webcrypto.subtle.importKey('spki', fromPem(publicKeyPem), importAlgorithm(publicKeyPem), true, ['verify']);
  return signCertificate(ca, req, publicKey);
}

async function signCertificate(ca: CertificateAuthority, req: CertificateRequest, publicKey: CryptoKey): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', fromPem(ca.keyPem), algorithm, false, ['sign']);
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(req.keyUsages ?? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (req.usages.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(req.usages, false));
  const s = req.sans;
  const names = s
    ? [
        ...s.dns.map((value) => ({ type: 'dns' as const, value })),
        ...s.ips.map((value) => ({ type: 'ip' as const, value })),
        ...(s.emails ?? []).map((value) => ({ type: 'email' as const, value })),
        ...(s.uris ?? []).map((value) => ({ type: 'url' as const, value })),
      ]
    : [];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: req.subject,
    issuer: caCert.subject,
    notBefore: new Date(now - (req.backdateSeconds ?? 60) * 1000),
    // Never past the CA's own end: a chain is valid only as long as every link is.
    notAfter: new Date(Math.min(now + (req.durationSeconds !== undefined ? req.durationSeconds * 1000 : req.days * day), caCert.notAfter.getTime())),
    signingAlgorithm: algorithm,
    signingKey: caKey,
    publicKey,
    extensions,
  });
  return cert.toString('pem') + '\n';
}
