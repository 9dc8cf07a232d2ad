import { describe, expect, it } from 'vitest';
import { IPRangeAllocator, PortRangeAllocator } from '../../../src-main/api/allocator.ts';

describe('IPRangeAllocator', () => {
  it('hands out unique addresses inside the range, never network, broadcast or the first address', () => {
    const a = new IPRangeAllocator('10.43.0.0/24');
    const seen = new Set<string>();
    for (;;) {
      const ip = a.allocateNext();
      if (ip === undefined) break;
      expect(seen.has(ip)).toBe(false);
      seen.add(ip);
    }
    // 256 addresses minus network, broadcast and 10.43.0.1 (the kubernetes service's).
    expect(seen.size).toBe(253);
    expect(seen.has('10.43.0.0')).toBe(false);
    expect(seen.has('10.43.0.255')).toBe(false);
    expect(seen.has('10.43.0.1')).toBe(false);
    expect([...seen].every((ip) => ip.startsWith('10.43.0.'))).toBe(true);
  });

  it('is full when every address is taken, and hands a released one out again', () => {
    const a = new IPRangeAllocator('10.43.0.0/29');
    const taken = [a.allocateNext(), a.allocateNext(), a.allocateNext(), a.allocateNext(), a.allocateNext()];
    expect(taken.every(Boolean)).toBe(true);
    expect(a.allocateNext()).toBeUndefined();
    a.release(taken[2] as string);
    expect(a.allocateNext()).toBe(taken[2]);
  });

  it('reserves a given address once; the first address only by reserve', () => {
    const a = new IPRangeAllocator('10.43.0.0/16');
    expect(a.reserve('10.43.0.1')).toBe(true);
    expect(a.reserve('10.43.0.1')).toBe(false);
    expect(a.reserve('10.43.7.9')).toBe(true);
    expect(a.reserve('10.43.7.9')).toBe(false);
    a.release('10.43.7.9');
    expect(a.reserve('10.43.7.9')).toBe(true);
  });

  it('refuses addresses outside the range, the network and broadcast addresses', () => {
    const a = new IPRangeAllocator('10.43.0.0/16');
    expect(a.range).toBe('10.43.0.0/16');
    for (const ip of ['10.44.0.1', '10.43.0.0', '10.43.255.255', 'not-an-ip', '10.43.0.256']) {
      expect(a.contains(ip)).toBe(false);
      expect(a.reserve(ip)).toBe(false);
    }
    expect(a.contains('10.43.255.254')).toBe(true);
  });

  it('allocates quickly from a /16 that is almost full', () => {
    const a = new IPRangeAllocator('10.43.0.0/16');
    const start = performance.now();
    let n = 0;
    while (a.allocateNext() !== undefined) n++;
    expect(n).toBe(65536 - 3);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('PortRangeAllocator', () => {
  it('covers 30000-32767 by default, each port once', () => {
    const a = new PortRangeAllocator();
    expect(a.range).toBe('30000-32767');
    const seen = new Set<string>();
    for (let p = a.allocateNext(); p !== undefined; p = a.allocateNext()) seen.add(p);
    expect(seen.size).toBe(2768);
    expect(Math.min(...[...seen].map(Number))).toBe(30000);
    expect(Math.max(...[...seen].map(Number))).toBe(32767);
  });

  it('reserves given ports, refuses taken and out-of-range ones, and takes released ones back', () => {
    const a = new PortRangeAllocator();
    expect(a.reserve('30080')).toBe(true);
    expect(a.reserve('30080')).toBe(false);
    expect(a.reserve('29999')).toBe(false);
    expect(a.reserve('32768')).toBe(false);
    expect(a.contains('32767')).toBe(true);
    a.release('30080');
    expect(a.reserve('30080')).toBe(true);
  });
});
