import type { ChatStatsResponse } from '@lasttouch/shared';
import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';
import { chatStats } from '../stats/chat-stats.js';
import { isoRange, parseGroupBy, parseRange, parseVerified, type StatsRange } from '../stats/query.js';
import { groupStats, topActions, widgetStats } from '../stats/widget-stats.js';

/** Each `{from, to, rows}` stats path and the function reading its rows. */
const ROWS: Record<
  string,
  (db: D1Database, siteId: string, range: StatsRange, verified: boolean) => Promise<unknown[]>
> = {
  widgets: widgetStats,
  campaigns: (db, siteId, range, verified) => groupStats(db, siteId, 'campaign', range, verified),
  sequences: (db, siteId, range, verified) => groupStats(db, siteId, 'sequence', range, verified),
  'top-actions': topActions,
};

/**
 * `GET /v1/stats/chat | widgets | campaigns | sequences | top-actions` (read key), from the
 * per-day aggregates. Query: `from`, `to` (ISO 8601), `verified=true`, and for chat `groupBy`.
 * See docs/attribution.md for the day buckets a range reads, and for rows of a widget, campaign
 * or sequence whose orders mix currencies: one per currency, with the non-money counters on the
 * first row only (0 on the others), so summing a column never counts them twice.
 */
export const stats = new Hono<SiteEnv>().use(requireKey(resolveKey, 'read')).get('/chat', async (c) => {
  const groupBy = parseGroupBy(c.req.query('groupBy'));
  const range = parseRange({ from: c.req.query('from'), to: c.req.query('to') }, Date.now());
  const verified = parseVerified(c.req.query('verified'));
  return c.json({
    ...isoRange(range),
    groupBy,
    ...(await chatStats(c.env.DB, c.var.site.id, range, groupBy, verified)),
  } satisfies ChatStatsResponse);
});

for (const [path, rows] of Object.entries(ROWS)) {
  stats.get(`/${path}`, async (c) => {
    const range = parseRange({ from: c.req.query('from'), to: c.req.query('to') }, Date.now());
    const verified = parseVerified(c.req.query('verified'));
    return c.json({ ...isoRange(range), rows: await rows(c.env.DB, c.var.site.id, range, verified) });
  });
}
