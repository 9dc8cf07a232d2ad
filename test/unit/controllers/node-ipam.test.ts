import { describe, expect, it } from 'vitest';
import { CidrSet } from '../../../src-main/controllers/node-ipam.ts';

describe('CidrSet', () => {
  it('hands out the /24 blocks of a /16 in order', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    expect(set.size).toBe(256);
    expect([set.allocateNext(), set.allocateNext(), set.allocateNext()]).toEqual(['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24']);
    expect(set.free).toBe(253);
  });

  it('skips occupied blocks and reuses a released one only after the rest', () => {
    const set = new CidrSet('10.42.0.0/22', 24);
    expect(set.occupy('10.42.1.0/24')).toBe(true);
    expect(set.allocateNext()).toBe('10.42.0.0/24');
    expect(set.allocateNext()).toBe('10.42.2.0/24');
    set.release('10.42.0.0/24');
    expect(set.allocateNext()).toBe('10.42.3.0/24');
    expect(set.allocateNext()).toBe('10.42.0.0/24');
    expect(set.allocateNext()).toBeUndefined();
  });

  it('refuses blocks that are not its own', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    expect(set.occupy('10.43.0.0/24')).toBe(false);
    expect(set.occupy('10.42.0.128/24')).toBe(false);
    expect(set.occupy('10.42.0.0/25')).toBe(false);
    expect(set.free).toBe(256);
  });

  it('rejects a range it cannot split', () => {
    expect(() => new CidrSet('10.42.0.0/24', 16)).toThrow(/does not fit/);
    expect(() => new CidrSet('fd00::/48', 64)).toThrow(/not an IPv4 CIDR/);
  });

  it('normalises a range given with host bits', () => {
    const set = new CidrSet('10.42.7.9/16', 24);
    expect(set.allocateNext()).toBe('10.42.0.0/24');
  });
});
