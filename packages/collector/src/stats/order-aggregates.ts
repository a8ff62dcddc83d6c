import { type Action, CHAT_GROUPS, type ChatGroupBy } from '@lasttouch/shared';
import { perColumn } from '../db/sql.js';
import { rowsInRange, type StatsRange } from './query.js';
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

/**
 * Every aggregate write of an order's contribution applies only while the order's version is
 * the one read, so two writers racing cannot both apply a delta. `?1` is the site; the order id
 * and version are the last two values.
 */
const guard = (orderParam: number): string =>
  `where exists (select 1 from orders where site_id = ?1 and order_id = ?${orderParam} and version = ?${orderParam + 1})`;

const ADD_ORDER_DAILY = `insert into order_daily (site_id, day, currency, verified, orders, value_minor)
  select ?1, ?2, ?3, ?4, ?5, ?6 ${guard(7)}
  on conflict (site_id, day, currency, verified) do update
  set orders = orders + excluded.orders, value_minor = value_minor + excluded.value_minor`;

const ADD_ORDER_TOUCH = `insert into order_touch_daily (site_id, day, action, channel, verified, orders)
  select ?1, ?2, ?3, ?4, ?5, ?6 ${guard(7)}
  on conflict (site_id, day, action, channel, verified) do update set orders = orders + excluded.orders`;

const ADD_ORDER_CREDIT = `insert into order_credit_daily (site_id, day, action, kind, widget_id, campaign, sequence, channel,
    conversation, agent, currency, verified, orders, value_minor, ms_to_order)
  select ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15 ${guard(16)}
  on conflict (site_id, day, action, kind, widget_id, campaign, sequence, channel, conversation, agent, currency,
    verified)
  do update set orders = orders + excluded.orders, value_minor = value_minor + excluded.value_minor,
    ms_to_order = ms_to_order + excluded.ms_to_order`;

/**
 * The writes that add (`sign` 1) or subtract (-1) an order's contribution, guarded by the
 * order's version.
 */
export function contributionStatements(
  db: D1Database,
  siteId: string,
  c: Contribution,
  sign: 1 | -1,
  order: { orderId: string; version: number },
): D1PreparedStatement[] {
  const verified = c.verified ? 1 : 0;
  const statements = [
    db
      .prepare(ADD_ORDER_DAILY)
      .bind(siteId, c.day, c.currency, verified, sign, sign * c.valueMinor, order.orderId, order.version),
    ...c.touches.map((touch) => {
      const [action, channel] = touch.split('|');
      return db
        .prepare(ADD_ORDER_TOUCH)
        .bind(siteId, c.day, action, channel, verified, sign, order.orderId, order.version);
    }),
  ];
  if (c.credit) {
    const k = c.credit;
    statements.push(
      db
        .prepare(ADD_ORDER_CREDIT)
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
          order.orderId,
          order.version,
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

const CHAT_CREDITS = perColumn(
  CHAT_GROUPS,
  (column) => `select ${column} as "group", currency, sum(orders) as orders, sum(value_minor) as valueMinor,
      sum(ms_to_order) as msToOrder
    from order_credit_daily
    where site_id = ?1 and day >= ?2 and day < ?3 and action = 'link_landing' and verified >= ?4
    group by ${column}, currency having sum(orders) > 0 order by ${column}, currency`,
);

/**
 * Orders credited to a tagged-link landing, per channel, agent or conversation and currency.
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
  return rowsInRange<ChatCreditRow>(db, CHAT_CREDITS[groupBy], siteId, range, verifiedOnly ? 1 : 0);
}

/** Orders and their value in one currency. */
export interface OrderSum {
  currency: string;
  orders: number;
  valueMinor: number;
}

const SITE_TOTALS = `select currency, sum(orders) as orders, sum(value_minor) as valueMinor from order_daily
  where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4
  group by currency having sum(orders) > 0 order by currency`;

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
  return rowsInRange<OrderSum>(db, SITE_TOTALS, siteId, range, verifiedOnly ? 1 : 0);
}

const WIDGET_CREDITS = `select ${WIDGET_KEY} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
  from order_credit_daily
  where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4 and action != 'link_landing'
  group by kind, widget_id, campaign, sequence, currency having sum(orders) > 0 order by currency`;

/** Orders credited to each widget (`WIDGET_KEY`), per currency; tagged-link credits aside. */
export async function widgetCredits(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<(OrderSum & { key: string })[]> {
  return rowsInRange<OrderSum & { key: string }>(db, WIDGET_CREDITS, siteId, range, verifiedOnly ? 1 : 0);
}

const GROUP_CREDITS = perColumn(
  ['campaign', 'sequence'] as const,
  (column) => `select ${column} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
    from order_credit_daily
    where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4 and ${column} != ''
    group by ${column}, currency having sum(orders) > 0 order by currency`,
);

/** Orders credited to each campaign or sequence, per currency. */
export async function groupCredits(
  db: D1Database,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<(OrderSum & { key: string })[]> {
  return rowsInRange<OrderSum & { key: string }>(db, GROUP_CREDITS[groupType], siteId, range, verifiedOnly ? 1 : 0);
}

const TOUCH_COUNTS = `select action, channel, sum(orders) as orders from order_touch_daily
  where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4
  group by action, channel having sum(orders) > 0 order by orders desc, action, channel`;

/** Orders each action (and channel) preceded inside its window, most first. */
export async function touchCounts(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<{ action: Action; channel: string; orders: number }[]> {
  return rowsInRange(db, TOUCH_COUNTS, siteId, range, verifiedOnly ? 1 : 0);
}
