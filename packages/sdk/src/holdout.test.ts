import { describe, expect, it } from 'vitest';
import { heldOut } from './holdout.js';
import { hash, uid } from './util.js';

describe('holdout cohort', () => {
  it.each([0, 5, 20, 50])('holds out about %i %% of random visitor ids', (percent) => {
    const ids = Array.from({ length: 20_000 }, uid);
    const share = ids.filter((id) => heldOut(id, percent)).length / ids.length;
    expect(Math.abs(share - percent / 100)).toBeLessThan(0.015);
  });

  it('is a stable function of the id, nested across percentages', () => {
    expect(hash('abc')).toBe(440_920_331);
    for (const id of Array.from({ length: 1000 }, uid)) {
      expect(heldOut(id, 20)).toBe(heldOut(id, 20));
      if (heldOut(id, 10)) expect(heldOut(id, 20)).toBe(true);
    }
  });
});
