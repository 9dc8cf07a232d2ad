import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { configMap } from '../../../../src-main/api/resources/configmap.ts';
import { create, fields, update } from './nonworkload-helpers.ts';

describe('ConfigMap', () => {
  it('refuses bad keys, keys in both data and binaryData, and bad base64', async () => {
    const { errors } = await create(configMap, { metadata: { name: 'c' }, data: { 'a b': 'x', same: 'y' }, binaryData: { same: 'eQ==', bin: '***' } });
    expect(fields(errors)).toEqual(['data[a b]', 'data[same]', 'binaryData[bin]']);
    expect(formatFieldError(errors[0])).toBe(
      "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
    expect(formatFieldError(errors[1])).toBe('data[same]: Invalid value: "same": duplicate of key present in binaryData');
  });

  it('refuses more than 1 MiB of data', async () => {
    const big = 'x'.repeat(600 * 1024);
    expect((await create(configMap, { metadata: { name: 'c' }, data: { a: big } })).errors).toEqual([]);
    const { errors } = await create(configMap, { metadata: { name: 'c' }, data: { a: big, b: big } });
    expect(errors).toHaveLength(1);
    expect(errors[0].type).toBe('FieldValueTooLong');
  });

  it('keeps immutable config maps frozen for good', async () => {
    const { obj: old } = await create(configMap, { metadata: { name: 'c' }, data: { a: '1' }, immutable: true });
    const changed = await update(configMap, { metadata: { name: 'c' }, data: { a: '2' }, immutable: true }, old);
    expect(changed.errors.map(formatFieldError)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    const unfrozen = await update(configMap, { metadata: { name: 'c' }, data: { a: '1' }, immutable: false }, old);
    expect(fields(unfrozen.errors)).toEqual(['immutable']);
    const labelled = await update(configMap, { metadata: { name: 'c', labels: { x: 'y' } }, data: { a: '1' }, immutable: true }, old);
    expect(labelled.errors).toEqual([]);
  });

  it('prints NAME DATA AGE, counting both data maps', async () => {
    const { obj } = await create(configMap, { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } });
    expect(configMap.shortNames).toEqual(['cm']);
    expect(configMap.table?.columns.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(configMap.table?.cells(obj, new Date('2026-01-01T00:00:30Z'))).toEqual(['c', 3, '30s']);
  });
});
