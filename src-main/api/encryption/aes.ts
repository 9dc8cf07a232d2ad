// The aesgcm and aescbc providers, on node:crypto. Upstream stores the prefix and then raw bytes;
// the Store keeps UTF-8 text, so here the bytes after the prefix are base64.
//   aesgcm: nonce (12 random bytes, new for every write) | ciphertext | tag (16), with the store
//           key as additional authenticated data: a value copied under another key fails to open.
//   aescbc: IV (16 random bytes) | ciphertext (PKCS#7), unauthenticated, as upstream's.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from './encryption-config.ts';
import type { PrefixTransformer } from './transformer.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const IV_BYTES = 16;

function gcmAlgorithm(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return `aes-${key.length * 8}-gcm` as 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
}

export function aesgcmTransformer(k: EncryptionKey): PrefixTransformer {
  const secret = Buffer.from(k.secret, 'base64');
  const algorithm = gcmAlgorithm(secret);
  const name = `aesgcm key "${k.name}"`;
  return {
    prefix: `k8s:enc:aesgcm:v1:${k.name}:`,
    encrypt(value, key) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(algorithm, secret, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(key));
      const sealed = Buffer.concat([nonce, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return sealed.toString('base64');
    },
    decrypt(payload, key) {
      const sealed = Buffer.from(payload, 'base64');
      if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error(`${name}: the stored data is too short (${sealed.length} bytes)`);
      const decipher = createDecipheriv(algorithm, secret, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(key));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(`${name}: message authentication failed (a wrong key, or the stored data is corrupted)`);
      }
    },
  };
}

export function aescbcTransformer(k: EncryptionKey): PrefixTransformer {
  const secret = Buffer.from(k.secret, 'base64');
  const name = `aescbc key "${k.name}"`;
  return {
    prefix: `k8s:enc:aescbc:v1:${k.name}:`,
    encrypt(value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-cbc', secret, iv);
      return Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final()]).toString('base64');
    },
    decrypt(payload) {
      const sealed = Buffer.from(payload, 'base64');
      if (sealed.length < 2 * IV_BYTES || sealed.length % IV_BYTES !== 0) throw new Error(`${name}: the stored data is not a whole number of blocks (${sealed.length} bytes)`);
      const decipher = createDecipheriv('aes-256-cbc', secret, sealed.subarray(0, IV_BYTES));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(`${name}: invalid padding (a wrong key, or the stored data is corrupted)`);
      }
    },
  };
}
