/**
 * Ranges of local days in the site's time zone. The API takes dates (`YYYY-MM-DD`, `to`
 * inclusive) and counts them in the site's `timezone`, so the page only has to know which date
 * "today" is there; everything else is calendar arithmetic on dates, free of clocks and offsets.
 */

export type Preset = 'today' | '7d' | '30d' | 'custom';

export interface DateRange {
  /** First day, `YYYY-MM-DD`. */
  from: string;
  /** Last day (inclusive), `YYYY-MM-DD`. */
  to: string;
}

export const PRESET_LABELS: Record<Preset, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom',
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A real calendar date `YYYY-MM-DD` (not 2026-02-30). */
export function isDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === value;
}

/** The date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export const daysBetween = (range: DateRange): number =>
  Math.round((Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / DAY_MS) + 1;

const dateFormats = new Map<string, Intl.DateTimeFormat | null>();

/**
 * The date an instant falls on in `timeZone` (an IANA name). An unknown zone falls back to UTC so
 * the page still opens; the settings form is where a wrong zone gets fixed.
 */
export function dateIn(timeZone: string, ms: number): string {
  let format = dateFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      format = null;
    }
    dateFormats.set(timeZone, format);
  }
  if (format === null) return new Date(ms).toISOString().slice(0, 10);
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The days a stats answer counted, read in the zone it echoes. */
export interface AnsweredRange extends DateRange {
  timeZone: string;
}

export function answeredRange(answer: { from: string; to: string; timezone: string }): AnsweredRange {
  const timeZone = answer.timezone;
  // `to` is the local midnight after the last day: the last day holds the instant just before it.
  return { timeZone, from: dateIn(timeZone, Date.parse(answer.from)), to: dateIn(timeZone, Date.parse(answer.to) - 1) };
}

/** The dates of a preset ending today (in the site's zone). */
export function presetRange(preset: Exclude<Preset, 'custom'>, today: string): DateRange {
  const days = preset === 'today' ? 1 : preset === '7d' ? 7 : 30;
  return { from: addDays(today, 1 - days), to: today };
}

/** Why a custom range cannot be asked for, or null when it can. The API reads at most 400 days. */
export function rangeProblem(range: DateRange): string | null {
  if (!isDate(range.from) || !isDate(range.to)) return 'Enter both dates as YYYY-MM-DD.';
  if (range.from > range.to) return 'The first day must not be after the last day.';
  if (daysBetween(range) > 400) return 'A range may span at most 400 days.';
  return null;
}

/** Every date of a range, in order. */
export function datesOf(range: DateRange): string[] {
  const dates: string[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) dates.push(d);
  return dates;
}
