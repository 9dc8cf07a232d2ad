// The log view's buffer: bounded (older lines dropped and counted), in time order for merged
// pods, searched case-insensitively, and written out as a file.
import { describe, expect, it } from 'vitest';
import { LogBuffer, normalTime, parseStamped } from '../../../src-renderer/lib/log-buffer.ts';

const line = (text: string, time = '') => ({ text, time });

describe('log buffer', () => {
  it('keeps the newest lines up to its capacity and counts the dropped ones', () => {
    const b = new LogBuffer(3);
    expect(b.append([line('1'), line('2')])).toBe(0);
    expect(b.append([line('3'), line('4'), line('5')])).toBe(2);
    expect(b.lines.map((l) => l.text)).toEqual(['3', '4', '5']);
    expect(b.dropped).toBe(2);
    b.clear();
    expect([b.length, b.dropped]).toEqual([0, 0]);
  });

  it('stays bounded under a flood', () => {
    const b = new LogBuffer();
    for (let i = 0; i < 100; i++) b.append(Array.from({ length: 1000 }, (_, j) => line(`line ${i * 1000 + j}`)));
    expect(b.length).toBe(20_000);
    expect(b.dropped).toBe(80_000);
    expect(b.lines[0]!.text).toBe('line 80000');
  });

  it('puts merged lines in time order, equal times in arrival order', () => {
    const b = new LogBuffer();
    const t = (s: number, f = '') => normalTime(`2026-01-01T00:00:0${s}${f}Z`);
    b.append([line('a1', t(1)), line('a3', t(3))], true);
    b.append([line('b2', t(2)), line('b3', t(3)), line('b1', t(1, '.5'))], true);
    expect(b.lines.map((l) => l.text)).toEqual(['a1', 'b1', 'b2', 'a3', 'b3']);
  });

  it('compares times the kubelet wrote with trimmed fractions correctly', () => {
    expect(normalTime('2026-01-01T00:00:01.1Z') > normalTime('2026-01-01T00:00:01.09Z')).toBe(true);
    expect(normalTime('2026-01-01T00:00:01Z')).toBe('2026-01-01T00:00:01.000000000Z');
    expect(normalTime('yesterday')).toBe('');
  });

  it('splits a stamped line into its time and text, and leaves others whole', () => {
    expect(parseStamped('2026-01-01T00:00:01.5Z hello world')).toEqual({ time: '2026-01-01T00:00:01.500000000Z', text: 'hello world' });
    expect(parseStamped('hello world')).toEqual({ time: '', text: 'hello world' });
  });

  it('finds the lines that contain the query, ignoring case, pods included', () => {
    const b = new LogBuffer();
    b.append([line('GET /health 200'), line('error: disk full'), { ...line('ok'), pod: 'web-1', container: 'main' }, line('Error again')]);
    expect(b.matches('error')).toEqual([1, 3]);
    expect(b.matches('WEB-1')).toEqual([2]);
    expect(b.matches('')).toEqual([]);
  });

  it('writes the buffer as text, with times when asked', () => {
    const b = new LogBuffer();
    b.append([line('one', '2026-01-01T00:00:01.000000000Z'), { ...line('two'), pod: 'p', container: 'c' }]);
    expect(b.toText()).toBe('one\np/c two\n');
    expect(b.toText({ timestamps: true })).toBe('2026-01-01T00:00:01.000000000Z one\np/c two\n');
  });
});
