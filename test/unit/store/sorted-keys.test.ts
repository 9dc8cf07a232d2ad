// The ordered key index against a plain sorted array, through many random inserts and deletes
// (enough to split chunks and empty them again).
import { describe, expect, it } from 'vitest';
import { prefixEnd, SortedKeys } from '../../../src-main/store/sorted-keys.ts';

function scanAll(keys: SortedKeys, from: string, limit = Infinity): string[] {
  const out: string[] = [];
  keys.scan(from, (k) => out.push(k) < limit);
  return out;
}

describe('SortedKeys', () => {
  it('matches a sorted array through random inserts and deletes', () => {
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const keys = new SortedKeys();
    const model = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const key = `/registry/pods/ns${random(7)}/pod-${random(3000)}`;
      if (random(3) === 0) expect(keys.delete(key)).toBe(model.delete(key));
      else expect(keys.insert(key)).toBe(!model.has(key) && !!model.add(key));
    }
    const sorted = [...model].sort();
    expect(keys.size).toBe(sorted.length);
    expect(scanAll(keys, '')).toEqual(sorted);
    for (const from of ['/registry/pods/ns3/', '/registry/pods/ns3/pod-15', '/zzz', '']) {
      expect(scanAll(keys, from, 50)).toEqual(sorted.filter((k) => k >= from).slice(0, 50));
    }
    const prefix = '/registry/pods/ns4/';
    expect(keys.countBetween(prefix, prefixEnd(prefix))).toBe(sorted.filter((k) => k.startsWith(prefix)).length);
    expect(keys.countBetween('', undefined)).toBe(sorted.length);
  });

  it('loads sorted keys in bulk and keeps accepting inserts', () => {
    const keys = new SortedKeys();
    const sorted = Array.from({ length: 5000 }, (_, i) => `/k/${String(i * 2).padStart(6, '0')}`);
    keys.load(sorted);
    keys.insert('/k/000001');
    keys.insert('/k/999999');
    expect(scanAll(keys, '/k/000000', 3)).toEqual(['/k/000000', '/k/000001', '/k/000002']);
    expect(keys.size).toBe(5002);
    expect(scanAll(keys, '/k/999998')).toEqual(['/k/999999']);
  });

  it('computes the end of a prefix', () => {
    expect(prefixEnd('/pods/')).toBe('/pods0');
    expect(prefixEnd('')).toBeUndefined();
    expect(prefixEnd('a\uffff')).toBe('b');
  });
});
