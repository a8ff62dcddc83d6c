import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Tagged links as issued by `POST /v1/links`. The token carries only the link id, its key id
 * and issue time (under the site's MAC); the conversation, channel and agent live here. `url`
 * keeps origin and path only: a query string can carry personal data.
 */
export const links = sqliteTable(
  'links',
  {
    siteId: text('site_id').notNull(),
    linkId: text('link_id').notNull(),
    conversation: text('conversation').notNull(),
    channel: text('channel').notNull(),
    /** '' for links issued without an agent. */
    agent: text('agent').notNull(),
    url: text('url').notNull(),
    issuedAt: integer('issued_at').notNull(),
    /** The visitor who landed first (by time): later visitors' landings are the link forwarded. */
    recipientVisitor: text('recipient_visitor'),
    recipientTs: integer('recipient_ts'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.linkId] }), index('links_site_issued').on(t.siteId, t.issuedAt)],
);

/** When a conversation's first tagged link was issued: where `averageSecondsBeforePurchase` starts. */
export const conversations = sqliteTable(
  'conversations',
  {
    siteId: text('site_id').notNull(),
    conversation: text('conversation').notNull(),
    firstLinkAt: integer('first_link_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.conversation] })],
);

/** An agent's production hours on a local day (`PUT /v1/agents/:agent/hours`), for `turnoverPerHour`. */
export const agentHours = sqliteTable(
  'agent_hours',
  {
    siteId: text('site_id').notNull(),
    agent: text('agent').notNull(),
    /** YYYY-MM-DD in the site's time zone. */
    date: text('date').notNull(),
    hours: real('hours').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.agent, t.date] })],
);
