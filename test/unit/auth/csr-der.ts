// A PKCS#10 request built by hand with node:crypto only, as the node agent builds its own:
// ECDSA P-256, SHA-256, a subject of CN and O, and optionally SANs in an extensionRequest.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

export const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

function oid(text: string): Buffer {
  const [a, b, ...rest] = text.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const rdn = (type: string, value: string) => der(0x31, seq(oid(type), der(0x0c, Buffer.from(value))));

export interface HandBuiltCSR {
  pem: string;
  /** spec.request: base64 of the PEM. */
  request: string;
  publicKey: KeyObject;
  /** The DER, to tamper with. */
  der: Buffer;
}

export function handBuiltCSR(cn: string, org: string, sans: { dns?: string[]; ips?: string[] } = {}): HandBuiltCSR {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = seq(rdn('2.5.4.3', cn), rdn('2.5.4.10', org));
  const names = [...(sans.dns ?? []).map((d) => der(0x82, Buffer.from(d))), ...(sans.ips ?? []).map((ip) => der(0x87, Buffer.from(ip.split('.').map(Number))))];
  const extensionRequest = names.length > 0 ? seq(oid('1.2.840.113549.1.9.14'), der(0x31, seq(seq(oid('2.5.29.17'), der(0x04, seq(...names)))))) : Buffer.alloc(0);
  const info = seq(der(0x02, Buffer.from([0])), name, publicKey.export({ type: 'spki', format: 'der' }), der(0xa0, extensionRequest));
  const signature = sign('sha256', info, privateKey);
  const csr = seq(info, seq(oid('1.2.840.10045.4.3.2')), der(0x03, Buffer.from([0]), signature));
  return { pem: toPem(csr), request: Buffer.from(toPem(csr)).toString('base64'), publicKey, der: csr };
}

export function toPem(derBytes: Buffer, label = 'CERTIFICATE REQUEST'): string {
  return `-----BEGIN ${label}-----\n${derBytes.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}
