import { describe, expect, it } from 'vitest';
import { FieldPath, formatFieldError } from '../../../../src-main/api/field-errors.ts';
import { formatLabels, formatLabelSelector, selectorMatches, validateLabelSelector } from '../../../../src-main/api/validation/label-selector.ts';

describe('label selectors', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['frontend', 'cache'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'team', operator: 'Exists' },
    ],
  };

  it('matches labels with every operator', () => {
    expect(selectorMatches(sel, { app: 'web', tier: 'cache', team: 'a' })).toBe(true);
    expect(selectorMatches(sel, { app: 'web', tier: 'cache', team: 'a', env: 'dev' })).toBe(false);
    expect(selectorMatches(sel, { app: 'web', tier: 'cache', team: 'a', legacy: 'y' })).toBe(false);
    expect(selectorMatches(sel, { app: 'web', tier: 'db', team: 'a' })).toBe(false);
    expect(selectorMatches(sel, { app: 'web', tier: 'cache' })).toBe(false);
    expect(selectorMatches({}, { any: 'thing' })).toBe(true);
    expect(selectorMatches(undefined, { any: 'thing' })).toBe(false);
  });

  it('prints as labels.Selector.String() does, sorted by key', () => {
    expect(formatLabelSelector(sel)).toBe('app=web,env notin (dev),!legacy,team,tier in (cache,frontend)');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabels({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabels({})).toBe('<none>');
  });

  it('validates operators, values and keys', () => {
    const errs = validateLabelSelector(
      { matchLabels: { 'bad key!': 'x' }, matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }, { key: 'b', operator: 'Like' }] },
      FieldPath.root('spec').child('selector'),
    );
    expect(errs.map((e) => e.field)).toEqual(['spec.selector.matchExpressions[0].values', 'spec.selector.matchExpressions[1].operator', 'spec.selector.matchLabels']);
    expect(formatFieldError(errs[0])).toBe("spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  });
});
