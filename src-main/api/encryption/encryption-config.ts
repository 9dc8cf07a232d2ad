// Upstream's EncryptionConfiguration (apiserver.config.k8s.io/v1): which resources are encrypted
// at rest and with which providers. The first provider of an entry encrypts; every provider of
// it can decrypt, so a key can be added before the data is rewritten and dropped after.
import { parse, stringify } from 'yaml';

export const ENCRYPTION_CONFIG_API_VERSION = 'apiserver.config.k8s.io/v1';

export interface EncryptionKey {
  name: string;
  /** The key's bytes, base64. */
  secret: string;
}

/** One provider: exactly one of these, as upstream's ProviderConfiguration. */
export type ProviderConfiguration = { aesgcm: { keys: EncryptionKey[] } } | { aescbc: { keys: EncryptionKey[] } } | { identity: Record<string, never> };

export interface ResourceConfiguration {
  /** `secrets`, `deployments.apps`, `*.apps`, `*.*`: resource.group, the core group without one. */
  resources: string[];
  providers: ProviderConfiguration[];
}

export interface EncryptionConfiguration {
  apiVersion: typeof ENCRYPTION_CONFIG_API_VERSION;
  kind: 'EncryptionConfiguration';
  resources: ResourceConfiguration[];
}

export class EncryptionConfigError extends Error {
  constructor(readonly path: string, readonly causes: string[]) {
    super(`${path}: invalid EncryptionConfiguration: ${causes.join('; ')}`);
    this.name = 'EncryptionConfigError';
  }
}

// Key lengths upstream accepts (AES-128/192/256 for GCM; CBC: 32 bytes).
const KEY_BYTES = { aesgcm: [16, 24, 32], aescbc: [32] } as const;
const KNOWN_PROVIDERS = ['aesgcm', 'aescbc', 'identity'];
const UNSUPPORTED_PROVIDERS = ['secretbox', 'kms'];

/** Parses and validates the file's text; every problem found is named with its field path. */
export function parseEncryptionConfig(text: string, path: string): EncryptionConfiguration {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new EncryptionConfigError(path, [`not YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  const causes = validate(doc);
  if (causes.length > 0) throw new EncryptionConfigError(path, causes);
  return doc as EncryptionConfiguration;
}

export function serializeEncryptionConfig(config: EncryptionConfiguration): string {
  return stringify(config);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validate(doc: unknown): string[] {
  if (!isRecord(doc)) return ['the file must hold one EncryptionConfiguration object'];
  const causes: string[] = [];
  if (doc.apiVersion !== ENCRYPTION_CONFIG_API_VERSION) causes.push(`apiVersion: Unsupported value: ${JSON.stringify(doc.apiVersion)}: supported values: "${ENCRYPTION_CONFIG_API_VERSION}"`);
  if (doc.kind !== 'EncryptionConfiguration') causes.push(`kind: Unsupported value: ${JSON.stringify(doc.kind)}: supported values: "EncryptionConfiguration"`);
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) return [...causes, 'resources: Required value: at least one resource configuration is required'];
  doc.resources.forEach((r: unknown, i: number) => causes.push(...validateResource(r, `resources[${i}]`)));
  return causes;
}

function validateResource(r: unknown, at: string): string[] {
  if (!isRecord(r)) return [`${at}: Invalid value: must be an object with resources and providers`];
  const causes: string[] = [];
  if (!Array.isArray(r.resources) || r.resources.length === 0) causes.push(`${at}.resources: Required value: at least one resource is required`);
  else r.resources.forEach((name: unknown, j: number) => {
    if (typeof name !== 'string' || !/^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9.-]*))?$/.test(name)) causes.push(`${at}.resources[${j}]: Invalid value: ${JSON.stringify(name)}: must be resource or resource.group (lower case; * for any)`);
  });
  if (!Array.isArray(r.providers) || r.providers.length === 0) causes.push(`${at}.providers: Required value: at least one provider is required`);
  else r.providers.forEach((p: unknown, j: number) => causes.push(...validateProvider(p, `${at}.providers[${j}]`)));
  return causes;
}

function validateProvider(p: unknown, at: string): string[] {
  const types = isRecord(p) ? Object.keys(p) : [];
  if (types.length !== 1) return [`${at}: Invalid value: exactly one provider must be configured (aesgcm, aescbc or identity)`];
  const type = types[0];
  if (UNSUPPORTED_PROVIDERS.includes(type)) return [`${at}.${type}: Unsupported value: Kubelab supports the aesgcm, aescbc and identity providers`];
  if (!KNOWN_PROVIDERS.includes(type)) return [`${at}: Unsupported value: "${type}": supported values: "aesgcm", "aescbc", "identity"`];
  if (type === 'identity') return [];
  const config = (p as Record<string, unknown>)[type];
  const keys = isRecord(config) ? config.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) return [`${at}.${type}.keys: Required value: at least one key is required`];
  const causes: string[] = [];
  const names = new Set<string>();
  keys.forEach((k: unknown, i: number) => {
    const kat = `${at}.${type}.keys[${i}]`;
    const name = isRecord(k) ? k.name : undefined;
    const secret = isRecord(k) ? k.secret : undefined;
    // The name is part of every stored value's prefix, which ':' ends.
    if (typeof name !== 'string' || name === '') causes.push(`${kat}.name: Required value: key name is required`);
    else if (name.includes(':')) causes.push(`${kat}.name: Invalid value: ${JSON.stringify(name)}: key name must not contain ':'`);
    else if (names.has(name)) causes.push(`${kat}.name: Duplicate value: ${JSON.stringify(name)}`);
    else names.add(name);
    causes.push(...validateSecret(secret, `${kat}.secret`, KEY_BYTES[type as keyof typeof KEY_BYTES]));
  });
  return causes;
}

function validateSecret(secret: unknown, at: string, lengths: readonly number[]): string[] {
  if (typeof secret !== 'string' || secret === '') return [`${at}: Required value: secret is required`];
  // Never echo a key in an error: it would end up in logs.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(secret) || secret.length % 4 !== 0) return [`${at}: Invalid value: "REDACTED": secret is not a valid base64 string`];
  const bytes = Buffer.from(secret, 'base64').length;
  if (!lengths.includes(bytes)) return [`${at}: Invalid value: "REDACTED": secret is not of the expected length, got ${bytes}, expected one of [${lengths.join(' ')}]`];
  return [];
}
