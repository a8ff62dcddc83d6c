import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { DAY_MS } from '../time/days.js';
import { dayBounds, parseRange, parseVerified } from './query.js';

const D = Date.UTC(2026, 10, 20);

describe('stats range', () => {
  it('defaults to the last 30 days including today', () => {
    expect(parseRange({}, D + 5000)).toEqual({ from: D + DAY_MS - 30 * DAY_MS, to: D + DAY_MS });
  });

  it('reads every day that overlaps [from, to)', () => {
    expect(dayBounds({ from: D + 1, to: D + DAY_MS })).toEqual({ firstDay: D, endDay: D + DAY_MS });
    expect(dayBounds(parseRange({ from: '2026-11-20T12:00:00Z', to: '2026-11-21T00:00:01Z' }, 0))).toEqual({
      firstDay: D,
      endDay: D + DAY_MS + 1000,
    });
  });

  it('accepts ISO dates and offsets and refuses the rest', () => {
    expect(parseRange({ from: '2026-11-20', to: '2026-11-21T02:00:00+02:00' }, 0)).toEqual({ from: D, to: D + DAY_MS });
    for (const bad of [{ from: 'yesterday' }, { to: '1700000000000' }, { from: '2026-11-21', to: '2026-11-20' }]) {
      expect(() => parseRange(bad, D)).toThrow(ApiError);
    }
    expect(() => parseRange({ from: '2025-01-01', to: '2026-11-20' }, D)).toThrow(/400 days/);
  });

  it('reads verified', () => {
    expect(parseVerified(undefined)).toBe(false);
    expect(parseVerified('false')).toBe(false);
    expect(parseVerified('true')).toBe(true);
    expect(() => parseVerified('yes')).toThrow(ApiError);
  });
});

describe('parseRange calendar checks', () => {
  it('refuses dates that do not exist instead of rolling them over', () => {
    for (const bad of [
      '2026-02-29',
      '2026-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-11-01T24:00:00Z',
      '2026-11-01T23:60Z',
    ]) {
      expect(() => parseRange({ from: bad, to: '2026-12-01' }, Date.UTC(2026, 11, 1))).toThrow(/ISO 8601/);
    }
    expect(parseRange({ from: '2028-02-29', to: '2028-03-01' }, 0).from).toBe(Date.UTC(2028, 1, 29));
  });
});
