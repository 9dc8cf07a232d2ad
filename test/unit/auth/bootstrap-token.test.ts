// The join token's format (k3s' K10<hash>::<id>.<secret> around kubeadm's bootstrap token): what
// parses, what each malformed part is told as, and that no error repeats the secret.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caHash, formatJoinToken, generateBootstrapToken, JoinTokenError, parseJoinToken } from '../../../src-main/auth/bootstrap-token.ts';

const hash = 'ab'.repeat(32);
const secret = '0123456789abcdef';

describe('join tokens', () => {
  it('round-trips a generated token, and hashes the CA PEM as sha256 hex of its bytes', () => {
    for (let i = 0; i < 50; i++) {
      const { id, secret: s } = generateBootstrapToken();
      expect(id).toMatch(/^[a-z0-9]{6}$/);
      expect(s).toMatch(/^[a-z0-9]{16}$/);
      const text = formatJoinToken({ caHash: hash, id, secret: s });
      expect(text).toBe(`K10${hash}::${id}.${s}`);
      expect(parseJoinToken(`${text}\n`)).toEqual({ caHash: hash, id, secret: s });
    }
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(caHash(pem)).toBe(createHash('sha256').update(pem, 'utf8').digest('hex'));
    // Upper-case hex is the same hash.
    expect(parseJoinToken(`K10${hash.toUpperCase()}::abcdef.${secret}`).caHash).toBe(hash);
  });

  it('says which part of a malformed token is wrong, never repeating the secret', () => {
    const cases: [string, RegExp][] = [
      [`K11${hash}::abcdef.${secret}`, /does not start with K10/],
      [`K10${hash}abcdef.${secret}`, /no "::" between the CA hash and the credential/],
      [`K10${hash.slice(2)}::abcdef.${secret}`, /CA hash is not 64 hexadecimal characters/],
      [`K10${'zz'.repeat(32)}::abcdef.${secret}`, /CA hash is not 64 hexadecimal characters/],
      [`K10${hash}::abcdef${secret}`, /no "\." between its id and its secret/],
      [`K10${hash}::ABCDEF.${secret}`, /id is not 6 characters of a-z and 0-9/],
      [`K10${hash}::abcde.${secret}`, /id is not 6 characters/],
      [`K10${hash}::abcdef.${secret}0`, /secret is not 16 characters of a-z and 0-9/],
      [`K10${hash}::abcdef.${secret.toUpperCase()}`, /secret is not 16 characters/],
      ['', /does not start with K10/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseJoinToken(text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(JoinTokenError);
      expect((error as Error).message, text).toMatch(message);
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).message).not.toContain(secret.toUpperCase());
    }
  });
});
