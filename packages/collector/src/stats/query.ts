import { CHAT_GROUPS, type ChatGroupBy } from '@lasttouch/shared';
import { ApiError } from '../http/errors.js';
import { DAY_MS, dayOf } from '../time/days.js';

/** A stats range: UTC ms, `from` inclusive, `to` exclusive. */
export interface StatsRange {
  from: number;
  to: number;
}

/**
 * The day buckets a range reads: every UTC day that overlaps `[from, to)`, i.e. days `D` with
 * `firstDay <= D < endDay`. Aggregates are per day, so a bound inside a day takes that whole day.
 */
export function dayBounds(range: StatsRange): { firstDay: number; endDay: number } {
  return { firstDay: dayOf(range.from), endDay: range.to };
}

/**
 * The rows of an aggregate query over the range's day buckets. Every such query binds `?1` to
 * the site, `?2` and `?3` to the bounds of `dayBounds`, then `extra` from `?4` on.
 */
export async function rowsInRange<T>(
  db: D1Database,
  sql: string,
  siteId: string,
  range: StatsRange,
  ...extra: unknown[]
): Promise<T[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(sql)
    .bind(siteId, firstDay, endDay, ...extra)
    .all<T>();
  return results;
}

const MAX_RANGE_MS = 400 * DAY_MS;

/**
 * Reads `from`/`to` (ISO 8601) of a stats query. The default is the last 30 days, ending at the
 * next UTC midnight so today is included.
 *
 * @example parseRange({ from: '2026-11-01T00:00:00Z' }, Date.now())
 */
export function parseRange(query: { from?: string | undefined; to?: string | undefined }, now: number): StatsRange {
  const to = query.to === undefined ? dayOf(now) + DAY_MS : parseInstant('to', query.to);
  const from = query.from === undefined ? to - 30 * DAY_MS : parseInstant('from', query.from);
  if (from >= to) throw new ApiError(400, 'invalid_range', '`from` must be before `to`');
  if (to - from > MAX_RANGE_MS) throw new ApiError(400, 'invalid_range', 'The range may span at most 400 days');
  return { from, to };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/** Calendar checks `Date.parse` skips: it rolls 2026-02-30 over to March and takes 24:00. */
function isRealInstant(match: RegExpExecArray): boolean {
  const [, y, mo, d, h = '0', mi = '0', s = '0', oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    Number(d) >= 1 &&
    Number(d) <= daysInMonth &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(s) < 60 &&
    Number(oh) < 24 &&
    Number(om) < 60
  );
}

function parseInstant(name: string, value: string): number {
  const match = ISO.exec(value);
  const ms = match && isRealInstant(match) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ApiError(
      400,
      'invalid_range',
      `\`${name}\` must be an ISO 8601 date or time such as 2026-11-01T00:00:00Z`,
    );
  }
  return ms;
}

/** `verified=true` counts only server-confirmed orders; anything else but `false` is an error. */
export function parseVerified(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ApiError(400, 'invalid_query', '`verified` must be true or false');
}

/** `groupBy` of the chat stats: `channel` (the default), `agent` or `conversation`. */
export function parseGroupBy(value: string | undefined): ChatGroupBy {
  if (value === undefined) return 'channel';
  if ((CHAT_GROUPS as readonly string[]).includes(value)) return value as ChatGroupBy;
  throw new ApiError(400, 'invalid_query', `\`groupBy\` must be one of ${CHAT_GROUPS.join(', ')}`);
}

export const isoRange = (range: StatsRange) => ({
  from: new Date(range.from).toISOString(),
  to: new Date(range.to).toISOString(),
});
