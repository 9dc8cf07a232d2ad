// The key pair service-account tokens are signed with, made on first start and kept in the data
// folder as kubeadm keeps it: pki/sa.key (the private key, 0600) and pki/sa.pub. ECDSA P-256.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';
import { keyID } from './jwt.ts';

export interface ServiceAccountKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The JWS header's kid. */
  kid: string;
}

function fromPem(pem: string): ServiceAccountKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyID(publicKey) };
}

export function ensureServiceAccountKey(pkiDir: string): ServiceAccountKey {
  const keyPath = join(pkiDir, 'sa.key');
  if (existsSync(keyPath)) return fromPem(readFileSync(keyPath, 'utf8'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const key = fromPem(pem);
  writeFileAtomic(keyPath, pem, 0o600);
  writeFileAtomic(join(pkiDir, 'sa.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return key;
}
