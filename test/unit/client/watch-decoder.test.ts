import { describe, expect, it } from 'vitest';
import { JsonStreamDecoder } from '../../../src-main/client/watch-decoder.ts';

const events = [
  { type: 'ADDED', object: { metadata: { name: 'a', annotations: { note: 'brace } and "quote" \\ here' } } } },
  { type: 'MODIFIED', object: { metadata: { name: 'ünïcødé-€-😀' }, data: { k: '{[' } } },
  { type: 'DELETED', object: { metadata: { name: 'c' }, list: [1, [2, { x: ']' }]] } },
];
const wire = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');

describe('JsonStreamDecoder', () => {
  it('decodes the stream whatever byte it is split at', () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new JsonStreamDecoder();
      const got = [...d.write(wire.subarray(0, cut)), ...d.write(wire.subarray(cut))];
      expect(got, `split at byte ${cut}`).toEqual(events);
      expect(d.pending).toBe(false);
    }
  });

  it('decodes a stream fed one byte at a time (UTF-8 characters split across chunks)', () => {
    const d = new JsonStreamDecoder();
    const got: unknown[] = [];
    for (let i = 0; i < wire.length; i++) got.push(...d.write(wire.subarray(i, i + 1)));
    expect(got).toEqual(events);
  });

  it('accepts objects concatenated without newlines, and blank keep-alive lines', () => {
    const d = new JsonStreamDecoder();
    const text = '\n' + events.map((e) => JSON.stringify(e)).join('') + '\r\n\n';
    expect(d.write(text)).toEqual(events);
  });

  it('decodes pretty-printed events, and two events on one line', () => {
    const d = new JsonStreamDecoder();
    const text = JSON.stringify(events[0], null, 2) + '\n' + JSON.stringify(events[1]) + JSON.stringify(events[2]) + '\n';
    expect(d.write(text)).toEqual(events);
    expect(d.pending).toBe(false);
  });

  it('reports an event cut in the middle as pending', () => {
    const d = new JsonStreamDecoder();
    expect(d.write('{"type":"ADDED","object":{"a":"x')).toEqual([]);
    expect(d.pending).toBe(true);
  });

  it('rejects garbage between events', () => {
    const d = new JsonStreamDecoder();
    expect(() => d.write('{"type":"ADDED","object":{}}\nnot json')).toThrow(SyntaxError);
  });
});
