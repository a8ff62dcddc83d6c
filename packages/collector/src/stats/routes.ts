import { Hono } from 'hono';
import { requireKey, type SiteEnv } from '../auth/require-key.js';
import { groupStats, topActions, widgetStats } from './queries.js';
import { isoRange, parseRange, parseVerified, type StatsRange } from './range.js';

/** The query of every stats request: `from`, `to` (ISO 8601) and `verified=true`. */
const statsQuery = (query: (name: string) => string | undefined): { range: StatsRange; verified: boolean } => ({
  range: parseRange({ from: query('from'), to: query('to') }, Date.now()),
  verified: parseVerified(query('verified')),
});

/**
 * `GET /v1/stats/widgets | campaigns | sequences | top-actions` (read key), served from the
 * per-day aggregates. See docs/attribution.md for the day buckets a range reads. The key is
 * checked per route: `/v1/stats/chat` is a sibling app with its own.
 */
export const stats = new Hono<SiteEnv>()
  .get('/widgets', requireKey('read'), async (c) => {
    const { range, verified } = statsQuery((n) => c.req.query(n));
    return c.json({ ...isoRange(range), rows: await widgetStats(c.env.DB, c.var.site.id, range, verified) });
  })
  .get('/campaigns', requireKey('read'), async (c) => {
    const { range, verified } = statsQuery((n) => c.req.query(n));
    return c.json({ ...isoRange(range), rows: await groupStats(c.env.DB, c.var.site.id, 'campaign', range, verified) });
  })
  .get('/sequences', requireKey('read'), async (c) => {
    const { range, verified } = statsQuery((n) => c.req.query(n));
    return c.json({ ...isoRange(range), rows: await groupStats(c.env.DB, c.var.site.id, 'sequence', range, verified) });
  })
  .get('/top-actions', requireKey('read'), async (c) => {
    const { range, verified } = statsQuery((n) => c.req.query(n));
    return c.json({ ...isoRange(range), rows: await topActions(c.env.DB, c.var.site.id, range, verified) });
  });
