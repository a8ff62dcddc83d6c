import { describe, expect, it } from 'vitest';
import { DAY_MS, dayOf } from './days.js';

const D = Date.UTC(2026, 10, 20);

describe('dayOf', () => {
  it('buckets times by UTC day', () => {
    expect(dayOf(D)).toBe(D);
    expect(dayOf(D + DAY_MS - 1)).toBe(D);
    expect(dayOf(D - 1)).toBe(D - DAY_MS);
  });
});
