import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Per-day aggregates: `day` is the UTC midnight (ms) of the fact's time. Absent dimensions are
// '' rather than NULL so they take part in primary keys and upserts. Stats read only these.

/** Widget counters per day. `clicks`/`hovers` count sessions, on the day of their first one. */
export const widgetDaily = sqliteTable(
  'widget_daily',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    kind: text('kind').notNull(),
    widgetId: text('widget_id').notNull(),
    campaign: text('campaign').notNull(),
    sequence: text('sequence').notNull(),
    instances: integer('instances').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    hovers: integer('hovers').notNull().default(0),
    dismisses: integer('dismisses').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.kind, t.widgetId, t.campaign, t.sequence] })],
);

/**
 * Campaign and sequence `started` per day: sessions, each counted on the day it was first shown
 * one of the group's widgets (a session spanning midnight counts on its first day only).
 */
export const groupDaily = sqliteTable(
  'group_daily',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    /** campaign | sequence */
    groupType: text('group_type').notNull(),
    groupId: text('group_id').notNull(),
    started: integer('started').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.groupType, t.groupId] })],
);

/**
 * The visitors shown one of a group's widgets, per day: `profiles` of a range are the distinct
 * visitors over its days. One row per visitor and day, however many showings.
 */
export const groupVisitorDaily = sqliteTable(
  'group_visitor_daily',
  {
    siteId: text('site_id').notNull(),
    groupType: text('group_type').notNull(),
    groupId: text('group_id').notNull(),
    day: integer('day').notNull(),
    visitorId: text('visitor_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.groupType, t.groupId, t.day, t.visitorId] })],
);

/**
 * Distinct facts behind the distinct counts: one row per (fact, subject, member), e.g.
 * ('widget_click', widget, session). `day` is the day of the earliest occurrence seen so far; a
 * late, earlier occurrence moves the count from the old day to the new one.
 */
export const distinctFacts = sqliteTable(
  'distinct_facts',
  {
    siteId: text('site_id').notNull(),
    fact: text('fact').notNull(),
    subject: text('subject').notNull(),
    member: text('member').notNull(),
    day: integer('day').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.fact, t.subject, t.member] })],
);

/** Site totals per day: every placed order, attributed or not. */
export const orderDaily = sqliteTable(
  'order_daily',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    currency: text('currency').notNull(),
    verified: integer('verified').notNull(),
    orders: integer('orders').notNull().default(0),
    valueMinor: integer('value_minor').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.currency, t.verified] })],
);

/**
 * Credited orders per day and per credited interaction's dimensions: widget stats, campaign and
 * sequence orders, and the chat stats (channel, conversation, agent) all read this table.
 */
export const orderCreditDaily = sqliteTable(
  'order_credit_daily',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    action: text('action').notNull(),
    kind: text('kind').notNull(),
    widgetId: text('widget_id').notNull(),
    campaign: text('campaign').notNull(),
    sequence: text('sequence').notNull(),
    channel: text('channel').notNull(),
    conversation: text('conversation').notNull(),
    agent: text('agent').notNull(),
    currency: text('currency').notNull(),
    verified: integer('verified').notNull(),
    orders: integer('orders').notNull().default(0),
    valueMinor: integer('value_minor').notNull().default(0),
    /** Tagged links: sum over orders of ms from the visitor's first landing of the conversation. */
    msToOrder: integer('ms_to_order').notNull().default(0),
  },
  (t) => [
    primaryKey({
      columns: [
        t.siteId,
        t.day,
        t.action,
        t.kind,
        t.widgetId,
        t.campaign,
        t.sequence,
        t.channel,
        t.conversation,
        t.agent,
        t.currency,
        t.verified,
      ],
    }),
    // Chat stats read only tagged-link credits: without it they would scan every credited cell.
    index('order_credit_daily_site_action_day').on(t.siteId, t.action, t.day),
  ],
);

/** Top actions: orders preceded, inside its window, by at least one interaction of the type. */
export const orderTouchDaily = sqliteTable(
  'order_touch_daily',
  {
    siteId: text('site_id').notNull(),
    day: integer('day').notNull(),
    action: text('action').notNull(),
    channel: text('channel').notNull(),
    verified: integer('verified').notNull(),
    orders: integer('orders').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.action, t.channel, t.verified] })],
);
