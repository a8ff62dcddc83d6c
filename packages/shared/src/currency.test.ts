import { describe, expect, it } from 'vitest';
import { currencyExponent, toMajorUnits, toMinorUnits } from './currency.js';

describe('minor units', () => {
  it('uses the ISO 4217 exponent of the currency', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('converts major to minor units without float drift', () => {
    expect(toMinorUnits(19.99, 'EUR')).toBe(1999);
    expect(toMinorUnits(0.1 + 0.2, 'EUR')).toBe(30);
    expect(toMinorUnits(12.5, 'EUR')).toBe(1250);
    expect(toMinorUnits(1500, 'JPY')).toBe(1500);
    expect(toMinorUnits(1.234, 'KWD')).toBe(1234);
  });

  it('refuses amounts finer than the currency allows, and non-finite or unsafe ones', () => {
    expect(toMinorUnits(12.345, 'EUR')).toBeNull();
    expect(toMinorUnits(12.5, 'JPY')).toBeNull();
    expect(toMinorUnits(Number.NaN, 'EUR')).toBeNull();
    expect(toMinorUnits(Number.POSITIVE_INFINITY, 'EUR')).toBeNull();
    expect(toMinorUnits(2 ** 53, 'EUR')).toBeNull();
  });

  it('round-trips to major units', () => {
    expect(toMajorUnits(1999, 'EUR')).toBe(19.99);
    expect(toMajorUnits(1500, 'JPY')).toBe(1500);
  });
});
