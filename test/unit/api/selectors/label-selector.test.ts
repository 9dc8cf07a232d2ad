import { describe, expect, it } from 'vitest';
import { LabelSelectorError, parseLabelSelector } from '../../../../src-main/api/selectors/label-selector.ts';

const labels = { app: 'web', tier: 'front', n: '7' };

describe('parseLabelSelector', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['tier in (front, back)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['n>5', true],
    ['n<5', false],
    ['app=web,tier=back', false],
    [' app = web , tier in (front) ', true],
  ])('%j matches %s', (text, expected) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(expected);
  });

  it('treats missing labels as no labels', () => {
    expect(parseLabelSelector('!a').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
  });

  it.each(['a in b', 'a in (b', 'a=b,', '=b', 'a=b c', 'a>x', `${'k'.repeat(64)}=v`, 'a=-bad-'])('refuses %j', (text) => {
    expect(() => parseLabelSelector(text)).toThrow(LabelSelectorError);
  });
});
