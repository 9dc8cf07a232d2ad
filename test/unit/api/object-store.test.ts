// Stored objects get their resourceVersion spliced into the JSON on the way out, as text (GET,
// watch) and as bytes (LIST): both must give the same, valid JSON.
import { describe, expect, it } from 'vitest';
import { copyWithResourceVersion, jsonWithResourceVersion, RESOURCE_VERSION_ROOM } from '../../../src-main/api/object-store.ts';
import type { KeyValue } from '../../../src-main/store/store.ts';

function kvOf(value: string, modRevision: number): KeyValue {
  const bytes = Buffer.from(value);
  return {
    key: '/k',
    value,
    valueLength: bytes.length,
    copyValue: (target, offset) => offset + bytes.copy(target, offset),
    createRevision: 1,
    modRevision,
    version: 1,
  };
}

const bytesOf = (kv: KeyValue, at = 7): string => {
  // Garbage around the write, so that nothing depends on a clean buffer.
  const buf = Buffer.alloc(at + kv.valueLength + RESOURCE_VERSION_ROOM + 64, '"metadata":{');
  const end = copyWithResourceVersion(kv, buf, at);
  return buf.toString('utf8', at, end);
};

describe('resourceVersion splicing', () => {
  const cases: [string, string][] = [
    ['fields in metadata', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"ü"}},"data":{"k":"\\"metadata\\":{"}}'],
    ['empty metadata', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{}}'],
    ['no metadata marker', '{"kind":"ConfigMap","apiVersion":"v1","metadata" : {"name":"b"}}'],
  ];
  for (const [name, value] of cases) {
    it(`gives the same JSON as text and as bytes: ${name}`, () => {
      const kv = kvOf(value, 1234567890123);
      const text = jsonWithResourceVersion(kv);
      expect(bytesOf(kv)).toBe(text);
      const obj = JSON.parse(text) as { metadata: Record<string, unknown> };
      expect(obj.metadata.resourceVersion).toBe('1234567890123');
      delete obj.metadata.resourceVersion;
      expect(obj).toEqual(JSON.parse(value));
    });
  }
});
