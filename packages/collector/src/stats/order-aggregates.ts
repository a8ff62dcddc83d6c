import type { ChatGroupBy } from '@lasttouch/shared';
import { dayBounds, type StatsRange } from './range.js';

/**
 * Queries over the order aggregates for other stats (the chat stats of `links/`). All amounts
 * are minor units; `verifiedOnly` keeps only server-confirmed orders. Day buckets as in
 * `dayBounds`: every UTC day overlapping `[from, to)`.
 */

export interface ChatCreditRow {
  /** The channel, agent or conversation; '' for orders whose link named no agent. */
  group: string;
  currency: string;
  orders: number;
  valueMinor: number;
  /** Sum over these orders of ms from the visitor's first landing of the conversation to the order. */
  msToOrder: number;
}

/**
 * Orders credited to a tagged-link landing, per channel, agent or conversation and currency.
 * `groupBy` is spliced in as the column name: its type (and the route's validation) limits it
 * to CHAT_GROUPS.
 *
 * @example await chatCredits(env.DB, site.id, range, 'channel', false)
 */
export async function chatCredits(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  groupBy: ChatGroupBy,
  verifiedOnly: boolean,
): Promise<ChatCreditRow[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select ${groupBy} as "group", currency, sum(orders) as orders, sum(value_minor) as valueMinor, sum(ms_to_order) as msToOrder
       from order_credit_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and action = 'link_landing' and verified >= ?4
       group by ${groupBy}, currency having sum(orders) > 0 order by ${groupBy}, currency`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<ChatCreditRow>();
  return results;
}

export interface SiteTotalRow {
  currency: string;
  orders: number;
  valueMinor: number;
}

/**
 * Every placed order of the site (attributed or not) per currency: the website totals.
 *
 * @example await siteTotals(env.DB, site.id, range, true)
 */
export async function siteTotals(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<SiteTotalRow[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select currency, sum(orders) as orders, sum(value_minor) as valueMinor from order_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4
       group by currency having sum(orders) > 0 order by currency`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<SiteTotalRow>();
  return results;
}
