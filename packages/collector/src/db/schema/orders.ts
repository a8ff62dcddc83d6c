import { ORDER_SOURCES, ORDER_STATUSES } from '@lasttouch/shared';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One row per `(site, orderId)`: the merge of every source reported for it (see
 * `orders/merge.ts`) and the attribution currently applied to the aggregates.
 */
export const orders = sqliteTable(
  'orders',
  {
    siteId: text('site_id').notNull(),
    orderId: text('order_id').notNull(),
    visitorId: text('visitor_id'),
    /** Order time, UTC ms. */
    ts: integer('ts').notNull(),
    valueMinor: integer('value_minor').notNull(),
    currency: text('currency').notNull(),
    /** placed | refunded | cancelled: only placed orders count anywhere. */
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    /** A server confirmation (`POST /v1/orders`) exists. */
    verified: integer('verified', { mode: 'boolean' }).notNull(),
    /** The credited interaction (an `interactions.event_id`), as last applied. */
    creditedEventId: text('credited_event_id'),
    /**
     * JSON of what this order currently adds to the aggregates (`Contribution`), so a
     * re-attribution subtracts exactly that and adds the new one. `null`: nothing yet.
     */
    applied: text('applied'),
    /** Bumped on every applied change: concurrent re-attributions cannot both apply a delta. */
    version: integer('version').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.orderId] }),
    index('orders_site_visitor_ts').on(t.siteId, t.visitorId, t.ts),
  ],
);

/**
 * Every report of an order, never deleted: SDK checkouts (keyed by event id) and server
 * confirmations (keyed by a digest of their content, so a retry is stored once and a changed
 * value is kept beside the old one).
 */
export const orderSources = sqliteTable(
  'order_sources',
  {
    siteId: text('site_id').notNull(),
    orderId: text('order_id').notNull(),
    source: text('source', { enum: ORDER_SOURCES }).notNull(),
    sourceKey: text('source_key').notNull(),
    visitorId: text('visitor_id'),
    /** UTC ms; `null` when the server did not say. */
    ts: integer('ts'),
    valueMinor: integer('value_minor').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.orderId, t.source, t.sourceKey] })],
);

/**
 * Attribution still to (re)compute: written in the same transaction as the event or order that
 * calls for it, deleted only once the recomputation committed. A failure leaves the marker for
 * the next request to retry.
 */
export const attributionQueue = sqliteTable(
  'attribution_queue',
  {
    siteId: text('site_id').notNull(),
    /** visitor | order */
    subject: text('subject', { enum: ['visitor', 'order'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    /** Changes on every enqueue, so a marker re-queued during processing is not deleted. */
    token: text('token').notNull(),
    queuedAt: integer('queued_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.subject, t.subjectId] }),
    index('attribution_queue_site').on(t.siteId, t.queuedAt),
  ],
);
