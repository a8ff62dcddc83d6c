import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Tagged links as issued by `POST /v1/links`. The token in a link carries only the link id and
 * issue time (under the site's MAC), so the conversation, channel and agent live here.
 */
export const links = sqliteTable(
  'links',
  {
    siteId: text('site_id').notNull(),
    linkId: text('link_id').notNull(),
    conversation: text('conversation').notNull(),
    channel: text('channel').notNull(),
    agent: text('agent'),
    /** The tagged url as answered. */
    url: text('url').notNull(),
    issuedAt: integer('issued_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.linkId] })],
);

/**
 * The conversations that had a link issued, per UTC day: `contacts` counts distinct conversations
 * from here without scanning `links`. `agent` is '' for links issued without one, so it can be
 * part of the key.
 */
export const linkContactsDaily = sqliteTable(
  'link_contacts_daily',
  {
    siteId: text('site_id').notNull(),
    /** UTC midnight (ms) of the issue day, like every other daily aggregate. */
    day: integer('day').notNull(),
    channel: text('channel').notNull(),
    agent: text('agent').notNull(),
    conversation: text('conversation').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.channel, t.agent, t.conversation] })],
);

/**
 * One row per (link, visitor): that visitor's earliest landing through the link (by time, then
 * event id), whatever order landings arrive in. It makes a link opened again by the same visitor
 * one contact, and tells the recipient (the visitor who landed first) from visitors it was
 * forwarded to.
 */
export const linkLandings = sqliteTable(
  'link_landings',
  {
    siteId: text('site_id').notNull(),
    linkId: text('link_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    /** The landing event that made the interaction. */
    eventId: text('event_id').notNull(),
    ts: integer('ts').notNull(),
    conversation: text('conversation').notNull(),
    /** Another visitor landed through the link earlier. */
    forwarded: integer('forwarded', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.linkId, t.visitorId] })],
);

/** Landings whose token failed verification, per UTC day and reason. */
export const invalidLandingsDaily = sqliteTable(
  'invalid_landings_daily',
  {
    siteId: text('site_id').notNull(),
    /** UTC midnight (ms) of the landing's day. */
    day: integer('day').notNull(),
    /** malformed | signature | expired | future | unknown_link */
    reason: text('reason').notNull(),
    landings: integer('landings').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day, t.reason] })],
);
