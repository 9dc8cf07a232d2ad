// A self-signed ECDSA P-256 serving certificate made with node:crypto alone: the agent's bundle
// then carries no X.509 library (those add 700 KB and their start-up to every node). The DER
// below is the minimum RFC 5280 asks of a TLS server certificate: v3, a CN, validity, the key,
// and basicConstraints, keyUsage, extKeyUsage serverAuth and the subjectAltNames.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer) => der(0x03, Buffer.from([0]), b);
const octets = (b: Buffer) => der(0x04, b);
const explicit = (n: number, b: Buffer) => der(0xa0 + n, b);
/** GeneralizedTime YYYYMMDDHHMMSSZ (UTCTime ends in 2049; GeneralizedTime is valid for any year). */
const time = (ms: number) => der(0x18, Buffer.from(`${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`));

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), octets(value));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand "::" and write the eight groups.
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...(tail !== undefined ? Array(missing).fill('0') : []), ...groups(tail)];
  return Buffer.concat(all.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

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
  const name = seq(der(0x31, seq(oid('2.5.4.3'), utf8(cn))));
  const altNames = seq(
    ...sans.dns.map((d) => der(0x82, Buffer.from(d, 'ascii'))),
    ...sans.ips.filter((ip) => isIP(ip)).map((ip) => der(0x87, ipBytes(ip))),
  );
  const extensions = seq(
    extension('2.5.29.19', true, seq()),
    // keyUsage digitalSignature (bit 0): 7 unused bits in the one byte.
    extension('2.5.29.15', true, der(0x03, Buffer.from([7, 0x80]))),
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
    extension('2.5.29.17', false, altNames),
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
  const b64 = cert.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { certPem: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The key in a PEM pair matches its certificate (a cheap check that a stored pair belongs together). */
export function keyMatches(certPublicKey: KeyObject, keyPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromKey, certPublicKey.export({ type: 'spki', format: 'der' })) === 0;
}
