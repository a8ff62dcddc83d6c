import { ORDER_SOURCES, ORDER_STATUSES } from '@lasttouch/shared';
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One row per `(site, orderId)`: the order as its reports merge (`orders/merge.ts`) and the
 * contribution it currently adds to the aggregates (`applied`), so a re-attribution subtracts
 * exactly what was added.
 */
export const orders = sqliteTable(
  'orders',
  {
    siteId: text('site_id').notNull(),
    orderId: text('order_id').notNull(),
    visitorId: text('visitor_id'),
    /** Keyed hash of the store's customer id (never the id in clear). */
    customerHash: text('customer_hash'),
    ts: integer('ts').notNull(),
    valueMinor: integer('value_minor').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    verified: integer('verified', { mode: 'boolean' }).notNull(),
    /** JSON of the contribution applied to the aggregates; null when it adds nothing. */
    applied: text('applied'),
    /** Erased visitor or customer: the contribution stays as it is (past stats do not change). */
    erased: integer('erased', { mode: 'boolean' }).notNull().default(false),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.orderId] }),
    index('orders_site_visitor_ts').on(t.siteId, t.visitorId, t.ts),
    index('orders_site_customer').on(t.siteId, t.customerHash).where(sql`customer_hash is not null`),
  ],
);

/**
 * Every report of an order, in the order received (`seq`): SDK checkouts and server
 * confirmations. The latest server report stands (`orders/merge.ts`).
 */
export const orderReports = sqliteTable(
  'order_reports',
  {
    siteId: text('site_id').notNull(),
    orderId: text('order_id').notNull(),
    seq: integer('seq').notNull(),
    source: text('source', { enum: ORDER_SOURCES }).notNull(),
    visitorId: text('visitor_id'),
    customerHash: text('customer_hash'),
    /** Corrected time (SDK) or the server's `ts`; null when the server did not say. */
    ts: integer('ts'),
    valueMinor: integer('value_minor').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.orderId, t.seq] })],
);
