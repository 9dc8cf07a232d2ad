// The few DER (X.690) encoders the agent's certificates and certificate requests need, so the
// agent's bundle carries no ASN.1 or X.509 library: node:crypto signs, these lay out the bytes.
import { isIP } from 'node:net';

/** One TLV: a tag, its definite length, the concatenated parts. */
export const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
export const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
export const set = (...parts: Buffer[]): Buffer => der(0x31, ...parts);
export const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
export const utf8 = (s: string): Buffer => der(0x0c, Buffer.from(s, 'utf8'));
export const bitString = (b: Buffer): Buffer => der(0x03, Buffer.from([0]), b);
export const octets = (b: Buffer): Buffer => der(0x04, b);
/** A context-specific constructed tag [n] (EXPLICIT, or IMPLICIT over a SET/SEQUENCE's contents). */
export const explicit = (n: number, ...b: Buffer[]): Buffer => der(0xa0 + n, ...b);
/** GeneralizedTime YYYYMMDDHHMMSSZ (UTCTime ends in 2049; GeneralizedTime is valid for any year). */
export const time = (ms: number): Buffer => der(0x18, Buffer.from(`${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`));

export const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

export function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), octets(value));
}

/** An X.501 Name: one RDN per attribute, in the order given (O before CN, as Go writes them). */
export function name(attrs: Array<[oidDotted: string, value: string]>): Buffer {
  return seq(...attrs.map(([id, value]) => set(seq(oid(id), utf8(value)))));
}

/** subjectAltName's GeneralNames: dNSName [2] and iPAddress [7]. */
export function altNames(sans: { dns: string[]; ips: string[] }): Buffer {
  return seq(
    ...sans.dns.map((d) => der(0x82, Buffer.from(d, 'ascii'))),
    ...sans.ips.filter((ip) => isIP(ip)).map((ip) => der(0x87, ipBytes(ip))),
  );
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

export const toPem = (body: Buffer, label: string): string => `-----BEGIN ${label}-----\n${body.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
