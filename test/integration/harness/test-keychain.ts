// A keychain for tests: AES-256-GCM with its key held in memory, in the shape of the cipher the
// desktop app takes from Electron's safeStorage. A second instance has another key, as a reset
// keychain would: its decryptString throws on the first one's ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../../src-main/provision/ssh/secret-vault.ts';

/** iv (12) + tag (16) + ciphertext; a wrong key fails the tag check. */
export function testKeychain(key = randomBytes(32), available = () => true): SecretCipher {
  return {
    isAvailable: available,
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
