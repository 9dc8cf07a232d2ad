// The storage transformer: prefixes name the provider and key, the first provider writes, any
// matching one reads, a wrong key or a changed byte is an error naming the object, and plain
// JSON from before encryption is still read through identity.
import { describe, expect, it } from 'vitest';
import { aescbcTransformer, aesgcmTransformer } from '../../../../src-main/api/encryption/aes.ts';
import { identityTransformer, prefixTransformers, TransformError } from '../../../../src-main/api/encryption/transformer.ts';
import { newEncryptionKey } from '../../../../src-main/api/encryption/encryption-config-file.ts';

const KEY = '/registry/core/secrets/default/db';
const JSON_VALUE = '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"password":"aHVudGVyMg=="}}';
const key1 = newEncryptionKey('key1');
const key2 = newEncryptionKey('key2');

describe('aesgcm', () => {
  it('writes the prefix then base64 of nonce, ciphertext and tag; a new nonce every write', () => {
    const t = prefixTransformers([aesgcmTransformer(key1)]);
    const a = t.toStorage(JSON_VALUE, KEY);
    const b = t.toStorage(JSON_VALUE, KEY);
    expect(a.startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain('aHVudGVyMg');
    const bytes = Buffer.from(a.slice('k8s:enc:aesgcm:v1:key1:'.length), 'base64');
    expect(bytes.length).toBe(12 + Buffer.byteLength(JSON_VALUE) + 16);
    expect(t.fromStorage(a, KEY)).toEqual({ value: JSON_VALUE, stale: false });
  });

  it('reads with the key the prefix names; a value of a later key is stale', () => {
    const writesWith2 = prefixTransformers([aesgcmTransformer(key2)]);
    const stored = writesWith2.toStorage(JSON_VALUE, KEY);
    const t = prefixTransformers([aesgcmTransformer(key1), aesgcmTransformer(key2)]);
    expect(t.fromStorage(stored, KEY)).toEqual({ value: JSON_VALUE, stale: true });
  });

  it('a wrong key under the same name is an error naming the object, not garbage', () => {
    const stored = prefixTransformers([aesgcmTransformer(key1)]).toStorage(JSON_VALUE, KEY);
    const impostor = prefixTransformers([aesgcmTransformer({ name: 'key1', secret: key2.secret })]);
    expect(() => impostor.fromStorage(stored, KEY)).toThrow(TransformError);
    expect(() => impostor.fromStorage(stored, KEY)).toThrow(`unable to transform key "${KEY}": aesgcm key "key1": message authentication failed`);
  });

  it('a value copied under another object key does not open (the key is authenticated)', () => {
    const t = prefixTransformers([aesgcmTransformer(key1)]);
    const stored = t.toStorage(JSON_VALUE, KEY);
    expect(() => t.fromStorage(stored, '/registry/core/secrets/default/other')).toThrow(/message authentication failed/);
  });

  it('one changed byte of the ciphertext is detected', () => {
    const t = prefixTransformers([aesgcmTransformer(key1)]);
    const stored = t.toStorage(JSON_VALUE, KEY);
    const prefix = 'k8s:enc:aesgcm:v1:key1:';
    const bytes = Buffer.from(stored.slice(prefix.length), 'base64');
    bytes[20] ^= 1;
    expect(() => t.fromStorage(prefix + bytes.toString('base64'), KEY)).toThrow(/message authentication failed/);
    expect(() => t.fromStorage(`${prefix}AAAA`, KEY)).toThrow(/too short/);
  });

  it('a value of a key the configuration no longer has names that key', () => {
    const stored = prefixTransformers([aesgcmTransformer(key2)]).toStorage(JSON_VALUE, KEY);
    const t = prefixTransformers([aesgcmTransformer(key1), identityTransformer]);
    expect(() => t.fromStorage(stored, KEY)).toThrow(/identity transformer tried to read encrypted data/);
    expect(() => prefixTransformers([aesgcmTransformer(key1)]).fromStorage(stored, KEY)).toThrow(/no matching prefix found \(written with k8s:enc:aesgcm:v1:key2:/);
  });
});

describe('identity', () => {
  it('plain JSON written before encryption is read, and stale so that a rewrite encrypts it', () => {
    const t = prefixTransformers([aesgcmTransformer(key1), identityTransformer]);
    expect(t.fromStorage(JSON_VALUE, KEY)).toEqual({ value: JSON_VALUE, stale: true });
  });

  it('without identity, plain JSON is refused', () => {
    const t = prefixTransformers([aesgcmTransformer(key1)]);
    expect(() => t.fromStorage(JSON_VALUE, KEY)).toThrow(/no matching prefix found \(not a value any configured provider wrote\)/);
  });

  it('identity first writes plain JSON and still reads encrypted values through the keys after it', () => {
    const encrypted = prefixTransformers([aesgcmTransformer(key1)]).toStorage(JSON_VALUE, KEY);
    const t = prefixTransformers([identityTransformer, aesgcmTransformer(key1)]);
    expect(t.toStorage(JSON_VALUE, KEY)).toBe(JSON_VALUE);
    expect(t.fromStorage(encrypted, KEY)).toEqual({ value: JSON_VALUE, stale: true });
  });
});

describe('aescbc', () => {
  it('round-trips with a random IV; a wrong key fails', () => {
    const t = prefixTransformers([aescbcTransformer(key1)]);
    const stored = t.toStorage(JSON_VALUE, KEY);
    expect(stored.startsWith('k8s:enc:aescbc:v1:key1:')).toBe(true);
    expect(stored).not.toBe(t.toStorage(JSON_VALUE, KEY));
    expect(t.fromStorage(stored, KEY)).toEqual({ value: JSON_VALUE, stale: false });
    const wrong = prefixTransformers([aescbcTransformer({ name: 'key1', secret: key2.secret })]);
    let result: string | undefined;
    try {
      result = wrong.fromStorage(stored, KEY).value;
    } catch (e) {
      expect(e).toBeInstanceOf(TransformError);
    }
    // CBC is unauthenticated: a wrong key almost always breaks the padding, and never yields the value.
    expect(result).not.toBe(JSON_VALUE);
  });
});
