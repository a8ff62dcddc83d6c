import * as z from 'zod';
import { CHAT_GROUPS, LIFT_GROUPS, type StatsQuery } from '../api.js';
import { LIMITS } from '../constants.js';
import { label, opaqueId } from '../validate/common.js';
import { exact } from './exact.js';

/*
 * Query strings and path parameters of the collector's API, for the OpenAPI document. The stats
 * query is pinned to `StatsQuery`; the collector's contract test fails on any query parameter a
 * request sends that its operation does not list.
 */

const statsQueryAll = exact<StatsQuery>()(
  z.strictObject({
    from: z.string().optional().meta({
      description:
        "A date (`2026-11-01`) or an instant on a local midnight of the site's time zone; default: 29 days ago",
    }),
    to: z
      .string()
      .optional()
      .meta({ description: 'A date (inclusive) or an instant on a local midnight; default: today' }),
    verified: z.enum(['true', 'false']).optional().meta({ description: '`true` counts only server-confirmed orders' }),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .meta({ description: '`csv` answers `text/csv` (as does `Accept: text/csv`)' }),
    widget: label().optional().meta({ description: 'Narrow the days to one widget (not with `campaign`)' }),
    campaign: label().optional().meta({ description: 'Narrow the days to one campaign (not with `widget`)' }),
    cursor: z.string().optional().meta({ description: "The previous page's `nextCursor`" }),
    limit: z
      .string()
      .regex(/^[1-9][0-9]*$/)
      .optional()
      .meta({ description: 'Rows per page: 1 to 5,000 (default 1,000)' }),
  }),
);

const range = { from: true, to: true, verified: true, format: true } as const;
const paging = { cursor: true, limit: true } as const;

/** `GET /v1/stats/widgets | campaigns | sequences`. */
export const pagedStatsQuery = statsQueryAll.pick({ ...range, ...paging });
/** `GET /v1/stats/top-actions`. */
export const statsQuery = statsQueryAll.pick(range);
/** `GET /v1/stats/daily`. */
export const dailyStatsQuery = statsQueryAll.pick({ ...range, widget: true, campaign: true });
/** `GET /v1/stats/chat`. */
export const chatStatsQuery = pagedStatsQuery.extend({
  groupBy: z.enum(CHAT_GROUPS).optional().meta({ description: 'Default `channel`' }),
});
/** `GET /v1/stats/lift`: verified orders are not a lift question. */
export const liftStatsQuery = pagedStatsQuery.omit({ verified: true }).extend({
  groupBy: z.enum(LIFT_GROUPS).optional().meta({ description: 'Default `site`' }),
});

export const orderIdParam = z.strictObject({ orderId: label() });
export const visitorIdParam = z.strictObject({
  visitorId: opaqueId().meta({ description: 'As the SDK sent it (`lasttouch("visitorId", …)`)' }),
});
export const customerIdParam = z.strictObject({
  customerId: label().meta({ description: "The store's customer id, as `identify` or an order named it" }),
});
export const agentParam = z.strictObject({
  agent: label(LIMITS.idLength).meta({ description: 'As given when the links were issued' }),
});
