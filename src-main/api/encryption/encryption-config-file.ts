// The data folder's EncryptionConfiguration (<dataDir>/pki/encryption-config.yaml). A new
// cluster gets one with a random AES-256-GCM key for Secrets, identity last so that objects an
// older Kubelab wrote in clear are still read. The file holds keys: 0600, like the CA's key.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../util/files.ts';
import { parseEncryptionConfig, serializeEncryptionConfig, ENCRYPTION_CONFIG_API_VERSION } from './encryption-config.ts';
import type { EncryptionConfiguration, EncryptionKey } from './encryption-config.ts';

export function encryptionConfigPath(dataDir: string): string {
  return join(dataDir, 'pki', 'encryption-config.yaml');
}

/** A new random AES-256 key. */
export function newEncryptionKey(name: string): EncryptionKey {
  return { name, secret: randomBytes(32).toString('base64') };
}

export function defaultEncryptionConfig(key: EncryptionKey): EncryptionConfiguration {
  return {
    apiVersion: ENCRYPTION_CONFIG_API_VERSION,
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ aesgcm: { keys: [key] } }, { identity: {} }] }],
  };
}

export function readEncryptionConfig(path: string): EncryptionConfiguration | undefined {
  return existsSync(path) ? parseEncryptionConfig(readFileSync(path, 'utf8'), path) : undefined;
}

export function writeEncryptionConfig(path: string, config: EncryptionConfiguration): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, serializeEncryptionConfig(config), 0o600);
}

/** The folder's configuration, created with a random key if it has none (call with the folder locked). */
export function ensureEncryptionConfig(dataDir: string): EncryptionConfiguration {
  const path = encryptionConfigPath(dataDir);
  const existing = readEncryptionConfig(path);
  if (existing) return existing;
  const config = defaultEncryptionConfig(newEncryptionKey('key1'));
  writeEncryptionConfig(path, config);
  return config;
}
