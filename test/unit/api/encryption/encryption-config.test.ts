// The EncryptionConfiguration file: upstream's format, each mistake named by its field path with
// the key never echoed, resources matched to store keys, and the two steps of a key rotation.
import { describe, expect, it } from 'vitest';
import { EncryptionConfigError, parseEncryptionConfig, serializeEncryptionConfig } from '../../../../src-main/api/encryption/encryption-config.ts';
import { defaultEncryptionConfig, newEncryptionKey } from '../../../../src-main/api/encryption/encryption-config-file.ts';
import { transformerForKey } from '../../../../src-main/api/encryption/transformer-for-key.ts';
import { withKeyFirst, withOnlyKey } from '../../../../src-main/api/encryption/rotate-key.ts';

const PATH = '/data/pki/encryption-config.yaml';

function errorsOf(text: string): string[] {
  try {
    parseEncryptionConfig(text, PATH);
  } catch (e) {
    expect(e).toBeInstanceOf(EncryptionConfigError);
    return (e as EncryptionConfigError).causes;
  }
  throw new Error('accepted');
}

describe('parseEncryptionConfig', () => {
  it('reads upstream’s format, and what it writes', () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps, "*.apps"]
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${Buffer.alloc(32, 7).toString('base64')}
      - identity: {}
`;
    const config = parseEncryptionConfig(text, PATH);
    expect(config.resources[0].resources).toEqual(['secrets', 'configmaps', '*.apps']);
    const created = defaultEncryptionConfig(newEncryptionKey('key1'));
    expect(parseEncryptionConfig(serializeEncryptionConfig(created), PATH)).toEqual(created);
  });

  it('names every problem by its field, and never prints a key', () => {
    const short = Buffer.alloc(8, 1).toString('base64');
    const causes = errorsOf(`apiVersion: v1
kind: EncryptionConfiguration
resources:
  - resources: []
    providers:
      - secretbox: {keys: [{name: k, secret: x}]}
      - aesgcm: {keys: [{name: a, secret: ${short}}, {name: a, secret: ${Buffer.alloc(32).toString('base64')}}, {name: "b:c", secret: "not base64!"}]}
      - {aesgcm: {keys: []}, identity: {}}
`);
    expect(causes).toEqual([
      'apiVersion: Unsupported value: "v1": supported values: "apiserver.config.k8s.io/v1"',
      'resources[0].resources: Required value: at least one resource is required',
      'resources[0].providers[0].secretbox: Unsupported value: Kubelab supports the aesgcm, aescbc and identity providers',
      'resources[0].providers[1].aesgcm.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]',
      'resources[0].providers[1].aesgcm.keys[1].name: Duplicate value: "a"',
      `resources[0].providers[1].aesgcm.keys[2].name: Invalid value: "b:c": key name must not contain ':'`,
      'resources[0].providers[1].aesgcm.keys[2].secret: Invalid value: "REDACTED": secret is not a valid base64 string',
      'resources[0].providers[2]: Invalid value: exactly one provider must be configured (aesgcm, aescbc or identity)',
    ]);
    expect(causes.join('\n')).not.toContain(short);
  });

  it('refuses what is not a configuration at all', () => {
    expect(errorsOf('resources: [')).toEqual([expect.stringMatching(/^not YAML: /)]);
    expect(errorsOf('- 1')).toEqual(['the file must hold one EncryptionConfiguration object']);
    expect(errorsOf('apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n')).toEqual(['resources: Required value: at least one resource configuration is required']);
  });
});

describe('transformerForKey', () => {
  const config = parseEncryptionConfig(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, "*.apps"]
    providers: [{aesgcm: {keys: [{name: k, secret: ${Buffer.alloc(32, 1).toString('base64')}}]}}]
  - resources: ["*.*"]
    providers: [{identity: {}}]
`, PATH);
  const forKey = transformerForKey(config);

  it('the first entry naming a resource wins; resource.group maps to /registry/<group>/<resource>/', () => {
    expect(forKey('/registry/core/secrets/default/a')!.toStorage('{}', 'x')).toMatch(/^k8s:enc:aesgcm:v1:k:/);
    expect(forKey('/registry/apps/deployments/default/a')!.toStorage('{}', 'x')).toMatch(/^k8s:enc:aesgcm:v1:k:/);
    expect(forKey('/registry/core/configmaps/default/a')!.toStorage('{}', 'x')).toBe('{}');
    expect(forKey('not-an-object-key')).toBeUndefined();
  });

  it('a resource no entry names is stored as it is', () => {
    const secretsOnly = transformerForKey(defaultEncryptionConfig(newEncryptionKey('key1')));
    expect(secretsOnly('/registry/core/secrets/ns/s')).toBeDefined();
    expect(secretsOnly('/registry/core/configmaps/ns/c')).toBeUndefined();
    expect(secretsOnly('/registry/apps/secrets/ns/c')).toBeUndefined();
  });
});

describe('rotation steps', () => {
  it('adds the new key first and keeps the old ones readable, then keeps only the new key and identity', () => {
    const old = newEncryptionKey('key1');
    const fresh = newEncryptionKey('key2');
    const staged = withKeyFirst(defaultEncryptionConfig(old), fresh);
    expect(staged.resources[0].providers).toEqual([{ aesgcm: { keys: [fresh, old] } }, { identity: {} }]);
    expect(withOnlyKey(staged, fresh).resources[0].providers).toEqual([{ aesgcm: { keys: [fresh] } }, { identity: {} }]);
  });

  it('a configuration that did not encrypt (identity first) gets an aesgcm provider before it', () => {
    const fresh = newEncryptionKey('key2');
    const plain = { ...defaultEncryptionConfig(fresh), resources: [{ resources: ['secrets'], providers: [{ identity: {} }] }] };
    expect(withKeyFirst(plain, fresh).resources[0].providers).toEqual([{ aesgcm: { keys: [fresh] } }, { identity: {} }]);
  });
});
