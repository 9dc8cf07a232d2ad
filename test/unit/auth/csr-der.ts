// A PKCS#10 request exactly as the node agent builds its own (certificateRequestPem: DER by
// hand, node:crypto signing), for the API's and the controllers' tests, with its DER to tamper with.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { certificateRequestPem } from '../../../src-main/agent/certificates/certificate-request.ts';
import { toPem as pemOf } from '../../../src-main/agent/certificates/der.ts';

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
  const pem = certificateRequestPem(privateKey, publicKey, { commonName: cn, organization: org }, { dns: sans.dns ?? [], ips: sans.ips ?? [] });
  return { pem, request: Buffer.from(pem).toString('base64'), publicKey, der: Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64') };
}

export const toPem = (derBytes: Buffer, label = 'CERTIFICATE REQUEST'): string => pemOf(derBytes, label);
