import type { StatsRange } from '../time/stats-range.js';

/** The slots a range reads: `[first, end)`. */
export const slotBounds = (range: StatsRange): { first: number; end: number } => ({
  first: range.days[0]?.slotFrom ?? 0,
  end: range.days.at(-1)?.slotTo ?? 0,
});

/**
 * The local date of each slot of the range: its days' slots are contiguous, so a slot belongs to
 * the last day starting at or before it. Slots outside the range answer `undefined`.
 *
 * @example dayOfSlot(range)(range.days[0].slotFrom) === range.days[0].date // true
 */
export function dayOfSlot(range: StatsRange): (slot: number) => string | undefined {
  const { days } = range;
  return (slot) => {
    let lo = 0;
    let hi = days.length - 1;
    if (hi < 0 || slot < days[0]!.slotFrom || slot >= days[hi]!.slotTo) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (days[mid]!.slotFrom <= slot) lo = mid;
      else hi = mid - 1;
    }
    return days[lo]!.date;
  };
}
