// Electron's safeStorage as the SSH secret vault's cipher: its key is kept by the OS keychain
// (macOS Keychain, Windows DPAPI, Secret Service or KWallet on Linux). Linux's 'basic_text'
// backend encrypts with a key written in Chromium's own source, which is no keychain at all, so
// it is refused, as is 'unknown' (no backend chosen yet). Imports only Electron's types, so that
// tests drive it under plain Node with a stand-in.
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../provision/ssh/secret-vault.ts';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

const NOT_A_KEYCHAIN = new Set(['basic_text', 'unknown']);

export function keychainCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    isAvailable: () => safeStorage.isEncryptionAvailable() && !(platform === 'linux' && NOT_A_KEYCHAIN.has(safeStorage.getSelectedStorageBackend())),
    encryptString: (plainText) => safeStorage.encryptString(plainText),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  };
}
