import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { secret } from '../../../../src-main/api/resources/secret.ts';
import { create, fields, update } from './nonworkload-helpers.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Secret', () => {
  it('defaults type Opaque and folds stringData into data, stringData winning', async () => {
    const { obj, errors } = await create(secret, { metadata: { name: 's' }, data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new' } });
    expect(errors).toEqual([]);
    expect(obj.type).toBe('Opaque');
    expect(obj.data).toEqual({ a: b64('new'), b: b64('keep') });
    expect(obj).not.toHaveProperty('stringData');
  });

  it('refuses data that is not base64 and bad keys', async () => {
    const { errors } = await create(secret, { metadata: { name: 's' }, data: { good: b64('x'), bad: 'not base64!', '..x': b64('y') } });
    expect(fields(errors)).toEqual(['data[bad]', 'data[..x]']);
    expect(formatFieldError(errors[0])).toMatch(/^data\[bad\]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte \d+$/);
    expect(formatFieldError(errors[1])).toBe(`data[..x]: Invalid value: "..x": must not start with '..'`);
  });

  it('requires the keys of each built-in type', async () => {
    const cases: [string, Record<string, string>, string[]][] = [
      ['kubernetes.io/tls', {}, ['data[tls.crt]', 'data[tls.key]']],
      ['kubernetes.io/basic-auth', {}, ['data[username]', 'data[password]']],
      ['kubernetes.io/basic-auth', { password: '' }, []],
      ['kubernetes.io/ssh-auth', {}, ['data[ssh-privatekey]']],
      ['kubernetes.io/dockerconfigjson', {}, ['data[.dockerconfigjson]']],
      ['kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{not json') }, ['data[.dockerconfigjson]']],
      ['kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }, []],
      ['kubernetes.io/service-account-token', {}, ['metadata.annotations[kubernetes.io/service-account.name]']],
      ['example.com/custom', {}, []],
    ];
    for (const [type, data, expected] of cases) {
      const { errors } = await create(secret, { metadata: { name: 's' }, type, data });
      expect(fields(errors), type).toEqual(expected);
    }
  });

  it('refuses more than 1 MiB', async () => {
    const { errors } = await create(secret, { metadata: { name: 's' }, data: { a: Buffer.alloc(1024 * 1024 + 1).toString('base64') } });
    expect(errors.map((e) => [e.type, e.field])).toEqual([['FieldValueTooLong', 'data']]);
  });

  it('keeps the type and immutable data', async () => {
    const { obj: old } = await create(secret, { metadata: { name: 's' }, data: { a: b64('1') }, immutable: true });
    const { errors } = await update(secret, { metadata: { name: 's' }, type: 'kubernetes.io/basic-auth', stringData: { a: '2', username: 'u' }, immutable: true }, old);
    expect(errors.map(formatFieldError)).toEqual(['type: Invalid value: "kubernetes.io/basic-auth": field is immutable', 'data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('selects by type and prints NAME TYPE DATA AGE', async () => {
    const { obj } = await create(secret, { metadata: { name: 's' }, stringData: { a: '1', b: '2' } });
    expect(secret.selectableFields?.type(obj)).toBe('Opaque');
    expect(secret.table?.columns.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(secret.table?.cells(obj, new Date('2026-01-01T00:05:00Z'))).toEqual(['s', 'Opaque', 2, '5m']);
  });
});
