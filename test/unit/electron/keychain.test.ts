// safeStorage as the vault's cipher: refused on Linux when its backend is no keychain.
import { describe, expect, it } from 'vitest';
import { keychainCipher, type SafeStorageLike } from '../../../src-main/electron/keychain.ts';

const storage = (backend: ReturnType<SafeStorageLike['getSelectedStorageBackend']>, available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  getSelectedStorageBackend: () => backend,
  encryptString: (s) => Buffer.from([...Buffer.from(s)].reverse()),
  decryptString: (b) => Buffer.from([...b].reverse()).toString(),
});

describe('keychainCipher', () => {
  it("uses Secret Service or KWallet on Linux, never 'basic_text' (a key in Chromium's source) or an unchosen backend", () => {
    expect(keychainCipher(storage('gnome_libsecret'), 'linux').isAvailable()).toBe(true);
    expect(keychainCipher(storage('kwallet6'), 'linux').isAvailable()).toBe(true);
    expect(keychainCipher(storage('basic_text'), 'linux').isAvailable()).toBe(false);
    expect(keychainCipher(storage('unknown'), 'linux').isAvailable()).toBe(false);
  });

  it('follows isEncryptionAvailable elsewhere, and passes strings through safeStorage', () => {
    expect(keychainCipher(storage('unknown'), 'darwin').isAvailable()).toBe(true);
    expect(keychainCipher(storage('unknown', false), 'win32').isAvailable()).toBe(false);
    const c = keychainCipher(storage('kwallet'), 'linux');
    expect(c.decryptString(c.encryptString('secret'))).toBe('secret');
  });
});
