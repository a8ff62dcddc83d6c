import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The raw event log: every accepted event once, keyed by its client-generated id so a retried
 * batch is acknowledged without being stored again. Stats never scan it; it is the source a
 * recount (and an audit) starts from.
 */
export const events = sqliteTable(
  'events',
  {
    siteId: text('site_id').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    visitorId: text('visitor_id').notNull(),
    sessionId: text('session_id').notNull(),
    /** Effective time (UTC ms): the client time, clamped when it ran ahead of the server. */
    ts: integer('ts').notNull(),
    clientTs: integer('client_ts').notNull(),
    receivedAt: integer('received_at').notNull(),
    path: text('path').notNull(),
    kind: text('kind'),
    widgetId: text('widget_id'),
    campaign: text('campaign'),
    sequence: text('sequence'),
    /** Landing: the link token as received. */
    token: text('token'),
    /** Checkout: order id, value in minor units, currency. */
    orderId: text('order_id'),
    valueMinor: integer('value_minor'),
    currency: text('currency'),
  },
  // No secondary index: attribution reads `interactions` (indexed by visitor and time) and stats
  // read the daily aggregates, so an index here would only cost writes on every event.
  (t) => [primaryKey({ columns: [t.siteId, t.eventId] })],
);

/**
 * Qualifying interactions, the candidates attribution chooses from: a popup click, a
 * notification click or hover, a block click, a valid tagged-link landing. Derived from events
 * on ingestion; one row per event.
 */
export const interactions = sqliteTable(
  'interactions',
  {
    siteId: text('site_id').notNull(),
    eventId: text('event_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    sessionId: text('session_id').notNull(),
    ts: integer('ts').notNull(),
    /** One of `ACTIONS` (shared constants). */
    action: text('action').notNull(),
    kind: text('kind'),
    widgetId: text('widget_id'),
    campaign: text('campaign'),
    sequence: text('sequence'),
    /** Tagged-link landings: channel, conversation, agent and the link they came from. */
    channel: text('channel'),
    conversation: text('conversation'),
    agent: text('agent'),
    linkId: text('link_id'),
    /** The link was issued to another visitor first (it was forwarded). */
    forwarded: integer('forwarded', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.eventId] }),
    index('interactions_site_visitor_ts').on(t.siteId, t.visitorId, t.ts),
  ],
);
