// A self-signed ECDSA P-256 serving certificate made with node:crypto alone: the agent's bundle
// then carries no X.509 library (those add 700 KB and their start-up to every node). The DER
// (der.ts) is the minimum RFC 5280 asks of a TLS server certificate: v3, a CN, validity, the key,
// and basicConstraints, keyUsage, extKeyUsage serverAuth and the subjectAltNames.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { altNames, bitString, der, ECDSA_SHA256, explicit, extension, name as x501Name, OID, oid, seq, time, toPem } from './der.ts';

/**
 * A DER INTEGER body that is positive and minimal: the first byte 0x40..0x7f. A clear top bit
 * keeps it positive; a set second bit means it never starts with a redundant 0x00, which OpenSSL
 * refuses as "illegal padding" (a zero first byte came up once in 256 certificates).
 */
export function positiveSerial(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}

export interface SelfSignedCert {
  certPem: string;
  keyPem: string;
}

/** A certificate for `cn` valid from a day ago for `days`, naming the DNS names and IPs. */
export function selfSignedServingCert(cn: string, sans: { dns: string[]; ips: string[] }, days: number, now = Date.now()): SelfSignedCert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = x501Name([[OID.commonName, cn]]);
  const extensions = seq(
    extension(OID.basicConstraints, true, seq()),
    // keyUsage digitalSignature (bit 0): 7 unused bits in the one byte.
    extension(OID.keyUsage, true, der(0x03, Buffer.from([7, 0x80]))),
    extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
    extension(OID.subjectAltName, false, altNames(sans)),
  );
  const tbs = seq(
    explicit(0, der(0x02, Buffer.from([2]))),
    der(0x02, positiveSerial(randomBytes(16))),
    ECDSA_SHA256,
    name,
    seq(time(now - 24 * 3600_000), time(now + days * 24 * 3600_000)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey as KeyObject);
  const cert = seq(tbs, ECDSA_SHA256, bitString(signature));
  return { certPem: toPem(cert, 'CERTIFICATE'), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The key in a PEM pair matches its certificate (a cheap check that a stored pair belongs together). */
export function keyMatches(certPublicKey: KeyObject, keyPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromKey, certPublicKey.export({ type: 'spki', format: 'der' })) === 0;
}
