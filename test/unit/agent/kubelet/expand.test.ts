import { describe, expect, it } from 'vitest';
import { expand } from '../../../../src-main/agent/kubelet/expand.ts';

const vars: Record<string, string> = { HOST: 'db', PORT: '5432', EMPTY: '' };
const lookup = (n: string) => vars[n];

describe('$(VAR) expansion', () => {
  it('replaces defined variables and keeps the rest as written, as upstream', () => {
    expect(expand('postgres://$(HOST):$(PORT)/app', lookup)).toBe('postgres://db:5432/app');
    expect(expand('$(MISSING)-$(EMPTY)-x', lookup)).toBe('$(MISSING)--x');
    expect(expand('$$(HOST) costs $$5 and $5', lookup)).toBe('$(HOST) costs $5 and $5');
    expect(expand('$(HOST', lookup)).toBe('$(HOST');
    expect(expand('ends with $', lookup)).toBe('ends with $');
    expect(expand('$()', lookup)).toBe('$()');
  });
});
