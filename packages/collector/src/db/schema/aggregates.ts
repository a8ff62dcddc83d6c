import { blob, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Aggregates, keyed by UTC half-hour `slot` (`time/slots.ts`): stats group slots into the
// site's local days when they read, so a time zone change re-buckets without rewriting. Absent
// dimensions are '' rather than NULL so they take part in primary keys and upserts. The queue
// consumer folds a batch in memory and writes each cell once per batch; counters are added with
// `x = x + excluded.x`. Stats read only these tables (and `links` for contacts).

/** Widget counters. `clicks`/`hovers` count sessions, in the slot of their first one. */
export const widgetSlots = sqliteTable(
  'widget_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    kind: text('kind').notNull(),
    widgetId: text('widget_id').notNull(),
    campaign: text('campaign').notNull(),
    sequence: text('sequence').notNull(),
    instances: integer('instances').notNull().default(0),
    clicks: integer('clicks').notNull().default(0),
    hovers: integer('hovers').notNull().default(0),
    dismisses: integer('dismisses').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.kind, t.widgetId, t.campaign, t.sequence] })],
);

/**
 * Campaign and sequence showings: `started` counts sessions in the slot of their first showing;
 * `visitors` is a distinct-count sketch (`stats/sketch.ts`) of the visitors shown one, so
 * `profiles` over any range is a union of a bounded number of rows.
 */
export const groupSlots = sqliteTable(
  'group_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    /** campaign | sequence */
    groupType: text('group_type').notNull(),
    groupId: text('group_id').notNull(),
    started: integer('started').notNull().default(0),
    visitors: blob('visitors', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.groupType, t.groupId] })],
);

/** Placed orders credited to an interaction, by everything the stats group them by. */
export const creditSlots = sqliteTable(
  'credit_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
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
    /** Tagged-link credits: sum over orders of ms from the conversation's first link to the order. */
    msToOrder: integer('ms_to_order').notNull().default(0),
  },
  (t) => [
    primaryKey({
      columns: [
        t.siteId,
        t.slot,
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
  ],
);

/** Every placed order, credited or not: the site's totals. */
export const orderSlots = sqliteTable(
  'order_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    currency: text('currency').notNull(),
    verified: integer('verified').notNull(),
    orders: integer('orders').notNull().default(0),
    valueMinor: integer('value_minor').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.currency, t.verified] })],
);

/** Orders preceded (inside the window) by each interaction type: top actions. */
export const touchSlots = sqliteTable(
  'touch_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    action: text('action').notNull(),
    channel: text('channel').notNull(),
    verified: integer('verified').notNull(),
    orders: integer('orders').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.action, t.channel, t.verified] })],
);

/**
 * Per-slot site counters that are not about a widget: landings whose token earned nothing, by
 * reason (`forged`, `expired`, `unknown_link`), and events browsers dropped from a full queue
 * (`dropped`).
 */
export const siteSlots = sqliteTable(
  'site_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    metric: text('metric').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.metric] })],
);

/**
 * Lift: per group (`site`, `c:<campaign>`, `w:<kind>:<id>`), cohort (1 held out, 0 exposed) and
 * slot, the eligible visitors (sketch) and converters (in the slot of their first counted order
 * after eligibility); orders and value per currency live in `lift_orders`.
 */
export const liftSlots = sqliteTable(
  'lift_slots',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    groupKey: text('group_key').notNull(),
    cohort: integer('cohort').notNull(),
    converters: integer('converters').notNull().default(0),
    visitors: blob('visitors', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.groupKey, t.cohort] })],
);

export const liftOrders = sqliteTable(
  'lift_orders',
  {
    siteId: text('site_id').notNull(),
    slot: integer('slot').notNull(),
    groupKey: text('group_key').notNull(),
    cohort: integer('cohort').notNull(),
    currency: text('currency').notNull(),
    orders: integer('orders').notNull().default(0),
    valueMinor: integer('value_minor').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.slot, t.groupKey, t.cohort, t.currency] })],
);
