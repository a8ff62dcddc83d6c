import { SLOT_MS } from './slots.js';
import { addDays, isCalendarDate, type LocalDate, localDate, localMidnight, localMidnights } from './zones.js';

/** One local day of a stats range. */
export interface LocalDay {
  /** `YYYY-MM-DD` in the site's zone. */
  date: LocalDate;
  /** The day's first instant (UTC ms). */
  from: number;
  /** The next day's first instant (UTC ms, exclusive): 23 or 25 hours later on a DST change. */
  to: number;
  /** The day's first slot: the first one that starts at or after `from`. */
  slotFrom: number;
  /** The next day's first slot (exclusive), so consecutive days' slots are contiguous. */
  slotTo: number;
}

/** A stats range as read: `from`/`to` are what a stats answer echoes. */
export interface StatsRange {
  /** The first day's local midnight (UTC ms). */
  from: number;
  /** The local midnight after the last day (UTC ms, exclusive). */
  to: number;
  /** Every local day of the range, in order. */
  days: LocalDay[];
}

/** `parseStatsRange`'s answer: the range, or why the query is a 400 `invalid_range`. */
export type StatsRangeResult = ({ ok: true } & StatsRange) | { ok: false; code: 'invalid_range'; message: string };

/** The `from`/`to` query parameters as they came. */
export interface StatsRangeQuery {
  from?: string | undefined;
  to?: string | undefined;
}

/** The longest range a stats query may read, in days. */
export const MAX_RANGE_DAYS = 400;
/** The range without `from`: this many days ending with `to` (default today). */
export const DEFAULT_RANGE_DAYS = 30;
/** Nothing is stored from before 1970; the bound also keeps dates in years `Intl` prints plainly. */
const MIN_DATE = '1970-01-01';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))?$/;

/** A bound read from the query: the local date it names, or a message saying what is wrong. */
type Bound = { ok: true; date: LocalDate; instant: boolean } | { ok: false; message: string };

/**
 * Reads one bound. A date names that local day; an instant must be a local midnight and names
 * the day it starts. `Date.parse` is only trusted after the calendar checks it skips (it rolls
 * 2026-02-30 over to March and takes 24:00).
 */
function readBound(name: 'from' | 'to', value: string, tz: string): Bound {
  if (DATE.test(value)) {
    if (!isCalendarDate(value)) return { ok: false, message: `${name}: ${value} is not a calendar date` };
    return { ok: true, date: value, instant: false };
  }
  const match = INSTANT.exec(value);
  if (match === null) {
    return {
      ok: false,
      message: `${name}: ${JSON.stringify(value)} is neither a date such as 2026-11-01 nor an ISO 8601 instant at a midnight in ${tz}`,
    };
  }
  const [, date = '', h, mi, s = '0', offset, oh = '0', om = '0'] = match;
  const real = isCalendarDate(date) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
  if (!real || Number(oh) > 23 || Number(om) > 59) {
    return { ok: false, message: `${name}: ${value} is not a real date and time` };
  }
  if (offset === undefined) {
    // Without an offset the instant depends on a zone the caller did not name; a date says it plainly.
    return {
      ok: false,
      message: `${name}: ${value} has no UTC offset; give a date such as ${date} or an instant ending in Z or an offset`,
    };
  }
  const ts = Date.parse(value);
  const day = localDate(ts, tz);
  const midnight = localMidnight(day, tz);
  if (ts !== midnight) {
    return {
      ok: false,
      message: `${name}: ${value} is not a midnight in ${tz}; give a date such as ${day} or a local midnight such as ${new Date(midnight).toISOString()}`,
    };
  }
  return { ok: true, date: day, instant: true };
}

const invalid = (message: string): StatsRangeResult => ({ ok: false, code: 'invalid_range', message });

/** Whole calendar days from `a` to `b` (negative when `b` is earlier). */
const daysBetween = (a: LocalDate, b: LocalDate): number => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);

/**
 * Reads a stats query's `from`/`to` in the site's zone `tz` (which must pass `isTimeZone`).
 *
 * - `from` and `to` are dates (`2026-11-01`; `to` inclusive) or ISO 8601 instants with an
 *   offset that fall exactly on a local midnight of `tz` (`to` exclusive, as echoed). Any other
 *   instant is refused with a message naming the zone, never silently widened to whole days.
 * - Without `to` the range ends with today (local, from `now`); without `from` it is the
 *   {@link DEFAULT_RANGE_DAYS} days ending with `to`. At most {@link MAX_RANGE_DAYS} days.
 *
 * Each day lists the slots it reads: `slotFrom = ceil(from / SLOT_MS)`, i.e. a slot belongs to
 * the local day in which it starts, and `slotTo` is the next day's `slotFrom`, so the days'
 * slot ranges are contiguous and no slot is read twice. This is exact for every zone whose
 * offset is a whole number of half hours (all but a few today, DST changes included: a 23-hour
 * day reads 46 slots, a 25-hour one 50, Lord Howe's 23.5-hour day 47). In the 45-minute zones
 * (Asia/Kathmandu +5:45, Australia/Eucla +8:45, Pacific/Chatham +12:45/+13:45) local midnight
 * falls 15 minutes into a slot, so each day reads from 00:15 to 00:15: what happened in its
 * first quarter hour is counted in the day before. Per-slot aggregates cannot do better; the
 * echoed `from`/`to` stay the true local midnights.
 *
 * @example
 * const range = parseStatsRange({ from: '2026-10-25', to: '2026-10-25' }, 'Europe/Paris', Date.now());
 * // range.ok && range.days[0].slotTo - range.days[0].slotFrom === 50 (the 25-hour day)
 */
export function parseStatsRange(query: StatsRangeQuery, tz: string, now: number): StatsRangeResult {
  let first: LocalDate | undefined;
  let last: LocalDate;
  let toIsInstant = false;
  if (query.from !== undefined) {
    const bound = readBound('from', query.from, tz);
    if (!bound.ok) return invalid(bound.message);
    first = bound.date;
  }
  if (query.to === undefined) {
    last = localDate(now, tz);
  } else {
    const bound = readBound('to', query.to, tz);
    if (!bound.ok) return invalid(bound.message);
    // An instant is the exclusive end; a date is the last day itself.
    last = bound.instant ? addDays(bound.date, -1) : bound.date;
    toIsInstant = bound.instant;
  }
  first ??= addDays(last, 1 - DEFAULT_RANGE_DAYS);

  const length = daysBetween(first, last) + 1;
  if (length < 1) {
    return invalid(
      toIsInstant
        ? `the range is empty: from is ${first} and the last day before to is ${last}`
        : `from (${first}) is after to (${last})`,
    );
  }
  if (length > MAX_RANGE_DAYS) return invalid(`the range spans ${length} days; at most ${MAX_RANGE_DAYS}`);
  if (first < MIN_DATE) return invalid(`from: ${first} is before ${MIN_DATE}`);

  const midnights = localMidnights(first, length, tz);
  const days: LocalDay[] = [];
  for (let i = 0; i < length; i++) {
    const from = midnights[i]!;
    const to = midnights[i + 1]!;
    days.push({
      date: addDays(first, i),
      from,
      to,
      slotFrom: Math.ceil(from / SLOT_MS),
      slotTo: Math.ceil(to / SLOT_MS),
    });
  }
  return { ok: true, from: days[0]!.from, to: days.at(-1)!.to, days };
}
