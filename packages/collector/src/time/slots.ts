/**
 * Aggregates are kept per UTC half-hour slot, not per day: stats group slots into the site's
 * local days when they read them, so a time zone change re-buckets what was counted without
 * rewriting a row. Half an hour because every zone in use today is a whole number of half hours
 * from UTC except a few 45-minute ones (see `parseStatsRange`).
 */

/** The length of a slot: 30 minutes in ms. */
export const SLOT_MS = 1_800_000;

/**
 * The slot holding the instant `ts` (UTC ms): slot `n` covers `[n * SLOT_MS, (n + 1) * SLOT_MS)`.
 *
 * @example slotOf(Date.UTC(2026, 10, 1, 0, 45)) * SLOT_MS === Date.UTC(2026, 10, 1, 0, 30) // true
 */
export function slotOf(ts: number): number {
  return Math.floor(ts / SLOT_MS);
}
