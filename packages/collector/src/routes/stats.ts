import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';
import { isoRange, parseRange, parseVerified, type StatsRange } from '../stats/range.js';
import { groupStats, topActions, widgetStats } from '../stats/widget-stats.js';

type StatsQuery = (db: D1Database, siteId: string, range: StatsRange, verifiedOnly: boolean) => Promise<unknown[]>;

/** Each stats path and the query answering it. */
const QUERIES: Record<string, StatsQuery> = {
  widgets: widgetStats,
  campaigns: (db, siteId, range, verified) => groupStats(db, siteId, 'campaign', range, verified),
  sequences: (db, siteId, range, verified) => groupStats(db, siteId, 'sequence', range, verified),
  'top-actions': topActions,
};

/**
 * `GET /v1/stats/widgets | campaigns | sequences | top-actions` (read key): `{from, to, rows}`
 * from the per-day aggregates. Query: `from`, `to` (ISO 8601) and `verified=true`. See
 * docs/attribution.md for the day buckets a range reads, and for rows of a widget, campaign or
 * sequence whose orders mix currencies: one per currency, with the non-money counters on the
 * first row only (0 on the others), so summing a column never counts them twice.
 * `/v1/stats/chat` is a sibling app mounted before this one in app.ts.
 */
export const stats = new Hono<SiteEnv>().use(requireKey(resolveKey, 'read'));

for (const [path, query] of Object.entries(QUERIES)) {
  stats.get(`/${path}`, async (c) => {
    const range = parseRange({ from: c.req.query('from'), to: c.req.query('to') }, Date.now());
    const verified = parseVerified(c.req.query('verified'));
    return c.json({ ...isoRange(range), rows: await query(c.env.DB, c.var.site.id, range, verified) });
  });
}
