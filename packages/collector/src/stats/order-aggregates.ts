import type { Action, ChatGroupBy } from '@lasttouch/shared';
import { dayBounds, type StatsRange } from './query.js';
import { WIDGET_KEY } from './widget-aggregates.js';

/*
 * The order aggregates (`order_daily`, `order_credit_daily`, `order_touch_daily`): what each
 * placed order adds to them, written when attribution applies its credit, and the queries of
 * the stats that read them. All amounts are minor units; `verifiedOnly` keeps only
 * server-confirmed orders. Day buckets as in `dayBounds`: every UTC day overlapping `[from, to)`.
 */

/** The dimensions of a credited interaction as the aggregates key them ('' for none). */
export interface CreditKey {
  action: Action;
  kind: string;
  widgetId: string;
  campaign: string;
  sequence: string;
  channel: string;
  conversation: string;
  agent: string;
}

/**
 * What one placed order adds to the aggregates. Stored as JSON on the order (`orders.applied`)
 * so that a re-attribution subtracts exactly what was added before.
 */
export interface Contribution {
  day: number;
  currency: string;
  verified: boolean;
  valueMinor: number;
  credit: CreditKey | null;
  /** Tagged-link credit: ms from the visitor's first landing of that conversation to the order. */
  msToOrder: number;
  /** Distinct `action|channel` of interactions inside their window before the order, sorted. */
  touches: string[];
}

/** Every aggregate write of an order's contribution only applies while its version is the one read. */
const GUARD = 'where exists (select 1 from orders where site_id = ? and order_id = ? and version = ?)';

export function contributionStatements(
  db: D1Database,
  siteId: string,
  c: Contribution,
  sign: 1 | -1,
  guard: { orderId: string; version: number },
): D1PreparedStatement[] {
  const g = [siteId, guard.orderId, guard.version];
  const verified = c.verified ? 1 : 0;
  const statements = [
    db
      .prepare(
        `insert into order_daily (site_id, day, currency, verified, orders, value_minor) select ?, ?, ?, ?, ?, ? ${GUARD}
         on conflict (site_id, day, currency, verified) do update
         set orders = orders + excluded.orders, value_minor = value_minor + excluded.value_minor`,
      )
      .bind(siteId, c.day, c.currency, verified, sign, sign * c.valueMinor, ...g),
    ...c.touches.map((touch) => {
      const [action, channel] = touch.split('|');
      return db
        .prepare(
          `insert into order_touch_daily (site_id, day, action, channel, verified, orders) select ?, ?, ?, ?, ?, ? ${GUARD}
           on conflict (site_id, day, action, channel, verified) do update set orders = orders + excluded.orders`,
        )
        .bind(siteId, c.day, action, channel, verified, sign, ...g);
    }),
  ];
  if (c.credit) {
    const k = c.credit;
    statements.push(
      db
        .prepare(
          `insert into order_credit_daily (site_id, day, action, kind, widget_id, campaign, sequence, channel, conversation,
             agent, currency, verified, orders, value_minor, ms_to_order)
           select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? ${GUARD}
           on conflict (site_id, day, action, kind, widget_id, campaign, sequence, channel, conversation, agent, currency,
             verified)
           do update set orders = orders + excluded.orders, value_minor = value_minor + excluded.value_minor,
             ms_to_order = ms_to_order + excluded.ms_to_order`,
        )
        .bind(
          siteId,
          c.day,
          k.action,
          k.kind,
          k.widgetId,
          k.campaign,
          k.sequence,
          k.channel,
          k.conversation,
          k.agent,
          c.currency,
          verified,
          sign,
          sign * c.valueMinor,
          sign * c.msToOrder,
          ...g,
        ),
    );
  }
  return statements;
}

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

/** Orders and their value in one currency. */
export interface OrderSum {
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
): Promise<OrderSum[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select currency, sum(orders) as orders, sum(value_minor) as valueMinor from order_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4
       group by currency having sum(orders) > 0 order by currency`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<OrderSum>();
  return results;
}

/** Orders credited to each widget (`WIDGET_KEY`), per currency; tagged-link credits aside. */
export async function widgetCredits(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<(OrderSum & { key: string })[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select ${WIDGET_KEY} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
       from order_credit_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4 and action != 'link_landing'
       group by kind, widget_id, campaign, sequence, currency having sum(orders) > 0 order by currency`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<OrderSum & { key: string }>();
  return results;
}

/** Orders credited to each campaign or sequence, per currency. */
export async function groupCredits(
  db: D1Database,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<(OrderSum & { key: string })[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select ${groupType} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
       from order_credit_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4 and ${groupType} != ''
       group by ${groupType}, currency having sum(orders) > 0 order by currency`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<OrderSum & { key: string }>();
  return results;
}

/** Orders each action (and channel) preceded inside its window, most first. */
export async function touchCounts(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<{ action: Action; channel: string; orders: number }[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select action, channel, sum(orders) as orders from order_touch_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4
       group by action, channel having sum(orders) > 0 order by orders desc, action, channel`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<{ action: Action; channel: string; orders: number }>();
  return results;
}
