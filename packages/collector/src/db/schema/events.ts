import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Ids of accepted events, for dedupe only: a retried batch is acknowledged without being
 * counted again. `bucket` is the 30-day period the event was received in; a retry can only
 * come within the 30 days an event stays acceptable, so lookups read the current and previous
 * bucket, and older buckets are dropped whole.
 */
export const events = sqliteTable(
  'events',
  {
    siteId: text('site_id').notNull(),
    bucket: integer('bucket').notNull(),
    eventId: text('event_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.bucket, t.eventId] })],
);

/**
 * Every click, hover and valid tagged-link landing of a visitor: the candidates attribution
 * chooses from (`action` set: a qualifying interaction) and what tells a session's first click
 * of a widget. Keyed by visitor and time, the order attribution reads them in.
 */
export const touches = sqliteTable(
  'touches',
  {
    siteId: text('site_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    /** Corrected time, UTC ms. */
    ts: integer('ts').notNull(),
    eventId: text('event_id').notNull(),
    sessionId: text('session_id').notNull(),
    /** click | hover | landing */
    type: text('type').notNull(),
    /** popup_click | notification_click | notification_hover | block_click | link_landing; null: not qualifying. */
    action: text('action'),
    kind: text('kind'),
    widgetId: text('widget_id'),
    campaign: text('campaign'),
    sequence: text('sequence'),
    linkId: text('link_id'),
    channel: text('channel'),
    conversation: text('conversation'),
    agent: text('agent'),
    /** The client's own time, before clock correction. */
    clientTs: integer('client_ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.visitorId, t.ts, t.eventId] })],
);

/**
 * The first showing of a campaign or sequence in a session (`fact` = `c:<id>` or `s:<id>`), so
 * `started` counts each session once, in the slot of its first showing.
 */
export const sessionFacts = sqliteTable(
  'session_facts',
  {
    siteId: text('site_id').notNull(),
    sessionId: text('session_id').notNull(),
    fact: text('fact').notNull(),
    slot: integer('slot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.sessionId, t.fact] })],
);
