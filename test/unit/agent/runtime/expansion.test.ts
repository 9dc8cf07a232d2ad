import { describe, expect, it } from 'vitest';
import { expand } from '../../../../src-main/agent/runtime/expansion.ts';

const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', VAR_C: 'C', VAR_EMPTY: '', DOLLAR: '$' };
const x = (s: string) => expand(s, (n) => vars[n]);

// Cases from the kubelet's third_party/forked/golang/expansion tests.
describe('$(VAR) expansion', () => {
  it('replaces defined references, alone, repeated and adjacent', () => {
    expect(x('$(VAR_A)')).toBe('A');
    expect(x('___$(VAR_B)___')).toBe('___B___');
    expect(x('$(VAR_A)-$(VAR_A)')).toBe('A-A');
    expect(x('$(VAR_A)$(VAR_B)$(VAR_C)')).toBe('ABC');
    expect(x('foo\\$(VAR_C)bar')).toBe('foo\\Cbar');
    expect(x('$(VAR_EMPTY)x')).toBe('x');
  });

  it('keeps undefined references, incomplete ones and lone dollars as written', () => {
    expect(x('$(VAR_DNE)')).toBe('$(VAR_DNE)');
    expect(x('$(VAR_A')).toBe('$(VAR_A');
    expect(x('$(VAR_A)$(VAR_B')).toBe('A$(VAR_B');
    expect(x('$VAR_A')).toBe('$VAR_A');
    expect(x('$()')).toBe('$()');
    expect(x('trailing $')).toBe('trailing $');
    expect(x('$(VAR_A)$')).toBe('A$');
    expect(x('')).toBe('');
  });

  it('turns $$ into $ and then does not expand what follows', () => {
    expect(x('f000-$$VAR_A')).toBe('f000-$VAR_A');
    expect(x('$$(VAR_A)')).toBe('$(VAR_A)');
    expect(x('$$$(VAR_A)')).toBe('$A');
    expect(x('$$$$(VAR_A)')).toBe('$$(VAR_A)');
    expect(x('$$')).toBe('$');
  });

  it('does not expand a value that itself holds a reference (one pass)', () => {
    expect(expand('$(X)', (n) => (n === 'X' ? '$(VAR_A)' : undefined))).toBe('$(VAR_A)');
    expect(x('$(DOLLAR)(VAR_A)')).toBe('$(VAR_A)');
    // The first ")" closes: a nested reference is not one.
    expect(x('$(VAR_$(VAR_A))')).toBe('$(VAR_$(VAR_A))');
  });
});
