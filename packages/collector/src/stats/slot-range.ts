import type { StatsRange } from '../time/stats-range.js';

/** The slots a range reads: `[first, end)`. */
export const slotBounds = (range: StatsRange): { first: number; end: number } => ({
  first: range.days[0]?.slotFrom ?? 0,
  end: range.days.at(-1)?.slotTo ?? 0,
});

/**
 * The range's days as one JSON parameter `[[date, slotFrom, slotTo], …]`, for grouping slots
 * into local days in SQL: `join json_each(?) d on slot >= d.value->>1 and slot < d.value->>2`.
 */
export const daysParam = (range: StatsRange): string =>
  JSON.stringify(range.days.map((d) => [d.date, d.slotFrom, d.slotTo]));
