import { CHAT_GROUPS, type ChatGroupBy, LIFT_GROUPS, type LiftGroupBy } from '@lasttouch/shared';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { databaseOf } from '../db/databases.js';
import { type D1Reader, replicaReader } from '../db/replica.js';
import { toCsv } from '../http/csv.js';
import { ApiError, unavailable } from '../http/errors.js';
import { paginate } from '../http/pages.js';
import { requireKey, type SiteEnv } from '../sites/require-key.js';
import { chatStats } from '../stats/chat.js';
import { dailyStats } from '../stats/daily.js';
import { groupStats } from '../stats/groups.js';
import { liftStats } from '../stats/lift.js';
import { topActions } from '../stats/top-actions.js';
import { widgetStats } from '../stats/widgets.js';
import { parseStatsRange, type StatsRange } from '../time/stats-range.js';

type StatsContext = Context<SiteEnv>;

/** The query's range in the site's days; a bad one is a 400 that names the time zone. */
function rangeOf(c: StatsContext): StatsRange {
  const result = parseStatsRange(
    { from: c.req.query('from'), to: c.req.query('to') },
    c.var.site.settings.timezone,
    Date.now(),
  );
  if (!result.ok) throw new ApiError(400, result.code, result.message);
  return result;
}

function verifiedOf(c: StatsContext): boolean {
  const v = c.req.query('verified');
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new ApiError(400, 'invalid_query', 'verified: must be true or false');
}

function choice<T extends string>(c: StatsContext, name: string, options: readonly T[], fallback: T): T {
  const v = c.req.query(name) ?? fallback;
  if (!(options as readonly string[]).includes(v)) {
    throw new ApiError(400, 'invalid_query', `${name}: must be one of ${options.join(', ')}`);
  }
  return v as T;
}

const wantsCsv = (c: StatsContext): boolean => {
  const format = c.req.query('format');
  if (format !== undefined && format !== 'csv' && format !== 'json') {
    throw new ApiError(400, 'invalid_query', 'format: must be csv or json');
  }
  return format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(c.req.header('Accept') ?? ''));
};

/**
 * Answers a stats envelope as JSON, or its rows as CSV (`format=csv` or `Accept: text/csv`: a
 * header row with the JSON field names, the next page's cursor in `X-Next-Cursor`).
 */
async function answer<Row extends object>(
  c: StatsContext,
  read: (db: D1Reader, range: StatsRange) => Promise<Row[]>,
  extra: (range: StatsRange) => Record<string, unknown> = () => ({}),
  paged = true,
) {
  const range = rangeOf(c);
  const csv = wantsCsv(c);
  let rows: Row[];
  try {
    rows = await read(replicaReader(databaseOf(c.env, c.var.site.database)), range);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    console.error('stats read failed', err instanceof Error ? err.message : String(err));
    throw unavailable('Stats cannot be read right now; retry later');
  }
  const page = paged ? paginate(rows, c.req.query('cursor'), c.req.query('limit')) : { rows, nextCursor: undefined };
  if (csv) {
    return c.body(toCsv(page.rows), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      ...(page.nextCursor ? { 'X-Next-Cursor': page.nextCursor } : {}),
    });
  }
  return c.json({
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    timezone: c.var.site.settings.timezone,
    ...extra(range),
    rows: page.rows,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
}

/**
 * `GET /v1/stats/*` (read key): the merchant's numbers, counted in the site's local days (see
 * docs/attribution.md). Query: `from`, `to` (dates, or instants on a local midnight), `verified`,
 * `format`, `cursor`/`limit` where rows can grow without bound.
 */
export const stats = new Hono<SiteEnv>()
  .use(requireKey('read'))
  .get('/widgets', (c) => answer(c, (db, r) => widgetStats(db, c.var.site.id, r, verifiedOf(c))))
  .get('/campaigns', (c) => answer(c, (db, r) => groupStats(db, c.var.site.id, 'campaign', r, verifiedOf(c))))
  .get('/sequences', (c) => answer(c, (db, r) => groupStats(db, c.var.site.id, 'sequence', r, verifiedOf(c))))
  .get('/top-actions', (c) => answer(c, (db, r) => topActions(db, c.var.site.id, r, verifiedOf(c)), undefined, false))
  .get('/daily', (c) => {
    const widget = c.req.query('widget');
    const campaign = c.req.query('campaign');
    if (widget !== undefined && campaign !== undefined) {
      throw new ApiError(400, 'invalid_query', 'give widget or campaign, not both');
    }
    const filter = widget !== undefined ? { widget } : campaign !== undefined ? { campaign } : null;
    return answer(c, (db, r) => dailyStats(db, c.var.site.id, r, verifiedOf(c), filter), undefined, false);
  })
  .get('/chat', async (c) => {
    const groupBy: ChatGroupBy = choice(c, 'groupBy', CHAT_GROUPS, 'channel');
    let extra: Record<string, unknown> = {};
    return answer(
      c,
      async (db, r) => {
        const { rows, ...rest } = await chatStats(db, c.var.site.id, r, groupBy, verifiedOf(c));
        extra = rest;
        return rows;
      },
      () => ({ groupBy, ...extra }),
    );
  })
  .get('/lift', (c) => {
    const groupBy: LiftGroupBy = choice(c, 'groupBy', LIFT_GROUPS, 'site');
    return answer(
      c,
      (db, r) => liftStats(db, c.var.site.id, r, groupBy),
      () => ({ groupBy }),
    );
  });
