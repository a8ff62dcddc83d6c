/**
 * Site time zones: which names a site may choose, and the local calendar date of an instant.
 * Everything goes through `Intl` (the platform's tz database), so no zone data ships with the
 * worker and a tzdata update in the runtime reaches every site.
 */

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

const DAY_MS = 86_400_000;

/**
 * How `Intl` names the fixed offsets it also takes as zones: `+02:00`, `-05:30` (also for
 * `-0530` and for U+2212 MINUS SIGN spellings, so the resolved name is what is checked).
 */
const OFFSET_ZONE = /^[+-]/;

type Field = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';
const FIELDS: readonly string[] = ['year', 'month', 'day', 'hour', 'minute', 'second'] satisfies Field[];

/** A zone's formatter and the order its numbers come out in (en-US: month, day, year, …). */
interface WallFormatter {
  format: (ts: number) => string;
  order: Field[];
}

/**
 * One formatter per zone: building a `DateTimeFormat` costs far more than formatting with one,
 * and a stats range formats once per day it spans. Keyed by the name as given; the cap keeps a
 * stream of oddly cased names from growing it without bound.
 */
const formatters = new Map<string, WallFormatter>();
const MAX_FORMATTERS = 1_000;

function formatter(tz: string): WallFormatter {
  let f = formatters.get(tz);
  if (f === undefined) {
    // `h23` rather than `hour12: false`: the latter prints midnight as 24 in some engines.
    const dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    // `format` and a scan for numbers cost less than half of `formatToParts` in workerd; the
    // numbers' order is read once from the parts so no locale pattern is assumed.
    const order = dtf
      .formatToParts(0)
      .map((part) => part.type)
      .filter((type): type is Field => FIELDS.includes(type));
    f = { format: dtf.format, order };
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(tz, f);
  }
  return f;
}

const NUMBER = /\d+/g;

/** The wall clock of `tz` at `ts`, as the UTC ms that reads the same (whole seconds). */
function wallClock(ts: number, tz: string): number {
  const { format, order } = formatter(tz);
  const numbers = format(ts).match(NUMBER) ?? [];
  const fields: Record<Field, number> = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const [i, field] of order.entries()) fields[field] = Number(numbers[i]);
  const wall = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  wall.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  wall.setUTCHours(fields.hour, fields.minute, fields.second);
  return wall.getTime();
}

/**
 * The zone's offset from UTC at `ts`, in ms (Paris in summer: 7_200_000). `Intl` prints whole
 * seconds, so the instant is floored to its second before comparing.
 */
export function utcOffset(ts: number, tz: string): number {
  return wallClock(ts, tz) - Math.floor(ts / 1000) * 1000;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a UTC ms read with UTC getters (the wall clock shifted onto UTC). */
function isoDate(wall: number): LocalDate {
  const d = new Date(wall);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/**
 * The UTC midnight (ms) that has the calendar date `date`; NaN when it is not `YYYY-MM-DD`.
 * Five-digit years too: the day after 9999-12-31 has a midnight.
 */
function utcMidnight(date: LocalDate): number {
  const match = /^(\d{4,5})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) return Number.NaN;
  const d = new Date(0);
  d.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return d.getTime();
}

/**
 * Whether `date` is a real `YYYY-MM-DD` calendar date (2028-02-29 is, 2026-02-30 is not).
 *
 * @example isCalendarDate('2026-02-30') // false
 */
export function isCalendarDate(date: string): boolean {
  const ms = utcMidnight(date);
  return Number.isFinite(ms) && isoDate(ms) === date;
}

/**
 * The date `days` days after `date` (before it when negative), in the calendar, not in hours:
 * no time zone is involved.
 *
 * @example addDays('2026-10-31', 1) // '2026-11-01'
 */
export function addDays(date: LocalDate, days: number): LocalDate {
  return isoDate(utcMidnight(date) + days * DAY_MS);
}

/**
 * The IANA name `Intl` resolves `name` to (case folded, and for some links the zone they
 * point to: `US/Pacific` → `America/Los_Angeles`), or `null` when it is not a zone a site may
 * use. Store this form, so a setting reads back the way the runtime spells it.
 *
 * Fixed offsets such as `+02:00` are refused although `Intl` accepts them: the contract asks for
 * an IANA name, and an offset silently drops daylight saving time. `Etc/GMT-2` is the IANA
 * spelling of a fixed +02:00 for a merchant who really wants one.
 *
 * @example canonicalTimeZone('europe/paris') // 'Europe/Paris'
 * @example canonicalTimeZone('+02:00') // null
 */
export function canonicalTimeZone(name: string): string | null {
  if (name === '') return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return OFFSET_ZONE.test(resolved) ? null : resolved;
  } catch {
    return null;
  }
}

/**
 * Whether `name` is a time zone a site may use: an IANA name the runtime knows (`UTC` included).
 * See {@link canonicalTimeZone} for what is refused and why.
 *
 * @example isTimeZone('Asia/Kathmandu') // true
 * @example isTimeZone('+05:45') // false
 */
export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== null;
}

/**
 * The local calendar date of the instant `ts` (UTC ms) in `tz`. `tz` must pass
 * {@link isTimeZone}; an unknown zone throws `RangeError`. Meant for instants in years 1 to 9999.
 *
 * @example localDate(Date.UTC(2026, 9, 31, 23, 30), 'Europe/Paris') // '2026-11-01'
 */
export function localDate(ts: number, tz: string): LocalDate {
  return isoDate(wallClock(ts, tz));
}

/**
 * The first instant (UTC ms) whose local date in `tz` is `date`: usually the instant the
 * clocks read 00:00. When a DST change skips midnight (clocks jump from 24:00 to 01:00, as
 * America/Santiago and Asia/Beirut do in spring), it is the instant of that jump; when a change
 * repeats midnight, the first time it is read. A date the zone skipped whole (Pacific/Apia,
 * 2011-12-30) starts where the next one does, so that day lasts no time. `date` must be a real
 * `YYYY-MM-DD` date (see {@link isCalendarDate}); otherwise the answer is NaN.
 *
 * @example localMidnight('2026-11-01', 'Europe/Paris') // Date.UTC(2026, 9, 31, 23)
 */
export function localMidnight(date: LocalDate, tz: string): number {
  const wall = utcMidnight(date);
  if (!Number.isFinite(wall)) return Number.NaN;
  // Midnight happens at wall - offset for the offset in force then, which is the one of a day
  // before or of a day after (no zone changes twice within two days). The day before's comes
  // first: when it reads midnight it is also the earliest instant that does (a fall-back that
  // repeats midnight repeats it later), so the usual day costs two formats.
  const before = wall - utcOffset(wall - DAY_MS, tz);
  if (wallClock(before, tz) === wall) return before;
  const after = wall - utcOffset(wall + DAY_MS, tz);
  if (wallClock(after, tz) === wall) return after;
  // Midnight was skipped: the day starts at the jump, between the two guesses. Dates only grow
  // across the jump, so a binary search on the date finds its first instant.
  let lo = Math.min(before, after);
  let hi = Math.max(before, after);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (localDate(mid, tz) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The first instants of `days + 1` consecutive local dates from `first` on: `[i]` starts the
 * date `i` days after `first`, so `[i + 1]` ends it. The same as calling {@link localMidnight}
 * on each date, at half the cost: a day usually starts at the offset the day before started
 * at, and one format confirms it (a stats range of 400 days formats about 400 times, not 800).
 *
 * @example localMidnights('2026-10-25', 1, 'Europe/Paris') // [Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 23)]
 */
export function localMidnights(first: LocalDate, days: number, tz: string): number[] {
  const midnights: number[] = [];
  let date = first;
  let offset = Number.NaN;
  for (let i = 0; i <= days; i++) {
    const wall = utcMidnight(date);
    // A guess that reads midnight is the first instant that does, as in localMidnight: an
    // earlier one would need the offset to change twice since the previous midnight.
    const guess = wall - offset;
    let midnight: number;
    if (Number.isFinite(guess) && wallClock(guess, tz) === wall) {
      midnight = guess;
    } else {
      midnight = localMidnight(date, tz);
      offset = utcOffset(midnight, tz);
    }
    midnights.push(midnight);
    date = addDays(date, 1);
  }
  return midnights;
}
