import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Visitors tied to a customer by `identify` or a server order's `customerId`, both ways (each
 * direction is a lookup). The customer is a keyed hash, never the id in clear.
 */
export const customerVisitors = sqliteTable(
  'customer_visitors',
  {
    siteId: text('site_id').notNull(),
    customerHash: text('customer_hash').notNull(),
    visitorId: text('visitor_id').notNull(),
    /** When the collector learned the link (corrected event time, or the server report's). */
    learnedAt: integer('learned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.customerHash, t.visitorId] })],
);

export const visitorCustomers = sqliteTable(
  'visitor_customers',
  {
    siteId: text('site_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    customerHash: text('customer_hash').notNull(),
    learnedAt: integer('learned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.visitorId, t.customerHash] })],
);

/**
 * A visitor's first eligibility for a lift group (`site`, `c:<campaign>` or `w:<kind>:<id>`) in
 * its cohort, and the time of its first counted order at or after it (`convertedTs`).
 */
export const exposures = sqliteTable(
  'exposures',
  {
    siteId: text('site_id').notNull(),
    visitorId: text('visitor_id').notNull(),
    groupKey: text('group_key').notNull(),
    /** 1 held out, 0 exposed. */
    cohort: integer('cohort').notNull(),
    firstTs: integer('first_ts').notNull(),
    convertedTs: integer('converted_ts'),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.visitorId, t.groupKey] })],
);
