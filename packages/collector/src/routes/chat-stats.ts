import { CHAT_GROUPS, type ChatGroupBy, type ChatStatsResponse } from '@lasttouch/shared';
import { Hono } from 'hono';
import { requireKey } from '../auth/require-key.js';
import { ApiError } from '../http/errors.js';
import { contactCounts, invalidLandingCount } from '../links/queries.js';
import { resolveKey } from '../sites/queries.js';
import type { SiteEnv } from '../sites/site.js';
import { chatRows, chatTotals } from '../stats/chat-stats.js';
import { chatCredits, siteTotals } from '../stats/order-aggregates.js';
import { isoRange, parseRange, parseVerified } from '../stats/range.js';

function parseGroupBy(value: string | undefined): ChatGroupBy {
  if (value === undefined) return 'channel';
  if ((CHAT_GROUPS as readonly string[]).includes(value)) return value as ChatGroupBy;
  throw new ApiError(400, 'invalid_query', `\`groupBy\` must be one of ${CHAT_GROUPS.join(', ')}`);
}

/** `GET /v1/stats/chat?groupBy=channel|agent|conversation&from&to&verified` (read key). */
export const chatStats = new Hono<SiteEnv>().get('/', requireKey(resolveKey, 'read'), async (c) => {
  const groupBy = parseGroupBy(c.req.query('groupBy'));
  const range = parseRange({ from: c.req.query('from'), to: c.req.query('to') }, Date.now());
  const verified = parseVerified(c.req.query('verified'));
  const db = c.env.DB;
  const siteId = c.var.site.id;
  const [contacts, credits, totals, invalidLandings] = await Promise.all([
    contactCounts(db, siteId, range, groupBy),
    chatCredits(db, siteId, range, groupBy, verified),
    siteTotals(db, siteId, range, verified),
    invalidLandingCount(db, siteId, range),
  ]);
  return c.json({
    ...isoRange(range),
    groupBy,
    rows: chatRows(contacts, credits),
    totals: chatTotals(totals),
    invalidLandings,
  } satisfies ChatStatsResponse);
});
