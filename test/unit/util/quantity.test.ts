import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  milliValue,
  parseQuantity,
  quantityFormatMessage,
  validateQuantityText,
  value,
} from '../../../src-main/util/quantity.ts';

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent forms', () => {
    expect(milliValue(parseQuantity('100m'))).toBe(100);
    expect(milliValue(parseQuantity('0.5'))).toBe(500);
    expect(milliValue(parseQuantity(2))).toBe(2000);
    expect(value(parseQuantity('1Gi'))).toBe(1073741824);
    expect(value(parseQuantity('128974848'))).toBe(128974848);
    expect(value(parseQuantity('129e6'))).toBe(129000000);
    expect(value(parseQuantity('123Mi'))).toBe(128974848);
    expect(value(parseQuantity('2e3'))).toBe(2000);
    expect(value(parseQuantity('1.5k'))).toBe(1500);
    expect(parseQuantity('250n').nanos).toBe(250n);
  });

  it('rounds values finer than a nano up, and Value() up to an integer', () => {
    expect(parseQuantity('0.1n').nanos).toBe(1n);
    expect(value(parseQuantity('100m'))).toBe(1);
  });

  it('refuses what is not a quantity, with upstream wording', () => {
    for (const bad of ['', 'abc', '1.2.3', '1Zi', '--1', 'Mi', '1 Gi']) {
      expect(() => parseQuantity(bad), bad).toThrow();
    }
    expect(validateQuantityText('lots')).toEqual([quantityFormatMessage]);
    expect(validateQuantityText('1Gi')).toEqual([]);
  });
});

describe('comparisons and canonical form', () => {
  it('compares across suffixes', () => {
    expect(compareQuantities(parseQuantity('1'), parseQuantity('1000m'))).toBe(0);
    expect(compareQuantities(parseQuantity('1Gi'), parseQuantity('1G'))).toBe(1);
    expect(compareQuantities(parseQuantity('500Mi'), parseQuantity('0.5Gi'))).toBe(-1);
    expect(compareQuantities(parseQuantity('-1'), parseQuantity('0'))).toBe(-1);
  });

  it('adds', () => {
    expect(milliValue(addQuantities(parseQuantity('250m'), parseQuantity('1.5')))).toBe(1750);
  });

  it('prints the canonical form kube-apiserver prints', () => {
    const canonical = (s: string) => formatQuantity(parseQuantity(s));
    expect(canonical('0.5')).toBe('500m');
    expect(canonical('1000')).toBe('1k');
    expect(canonical('1024Mi')).toBe('1Gi');
    expect(canonical('1.5Gi')).toBe('1536Mi');
    expect(canonical('1000m')).toBe('1');
    expect(canonical('0')).toBe('0');
    expect(canonical('2e3')).toBe('2e3');
  });
});
