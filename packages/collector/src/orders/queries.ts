import { and, eq, sql } from 'drizzle-orm';
import { createDb } from '../db/client.js';
import { orderSources, orders } from '../db/schema/index.js';
import type { MergedOrder, OrderSource } from './merge.js';

/* The `orders` and `order_sources` tables: every report of an order, and their merge. */

/** A report of an order to store; its `sourceKey` is the SDK checkout's event id or the server report's digest. */
export type NewOrderSource = Omit<OrderSource, 'seq'> & { siteId: string; orderId: string };

/** A report is stored once: a retry with the same key changes nothing. */
const INSERT_ORDER_SOURCE = `insert into order_sources
    (site_id, order_id, source, source_key, visitor_id, ts, value_minor, currency, status, received_at)
  values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) on conflict do nothing`;

export const insertOrderSource = (db: D1Database, s: NewOrderSource): D1PreparedStatement =>
  db
    .prepare(INSERT_ORDER_SOURCE)
    .bind(
      s.siteId,
      s.orderId,
      s.source,
      s.sourceKey,
      s.visitorId,
      s.ts,
      s.valueMinor,
      s.currency,
      s.status,
      s.receivedAt,
    );

/** The order row as its first report describes it; stage 2 re-merges it from all its sources. */
export type NewOrder = MergedOrder & { siteId: string; orderId: string; updatedAt: number };

/** Creates the order row if it is new; an existing one is left for the re-merge. */
const INSERT_ORDER = `insert into orders
    (site_id, order_id, visitor_id, ts, value_minor, currency, status, verified, updated_at)
  values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) on conflict do nothing`;

export const insertOrder = (db: D1Database, o: NewOrder): D1PreparedStatement =>
  db
    .prepare(INSERT_ORDER)
    .bind(o.siteId, o.orderId, o.visitorId, o.ts, o.valueMinor, o.currency, o.status, o.verified ? 1 : 0, o.updatedAt);

/** An `orders` row: the merge of its sources, and the attribution last applied to the aggregates. */
export interface OrderRow extends MergedOrder {
  orderId: string;
  creditedEventId: string | null;
  applied: string | null;
  version: number;
}

const ORDER_ROW = {
  orderId: orders.orderId,
  visitorId: orders.visitorId,
  ts: orders.ts,
  valueMinor: orders.valueMinor,
  currency: orders.currency,
  status: orders.status,
  verified: orders.verified,
  creditedEventId: orders.creditedEventId,
  applied: orders.applied,
  version: orders.version,
};

/** Every order of a visitor. */
export async function loadVisitorOrders(db: D1Database, siteId: string, visitorId: string): Promise<OrderRow[]> {
  return createDb(db)
    .select(ORDER_ROW)
    .from(orders)
    .where(and(eq(orders.siteId, siteId), eq(orders.visitorId, visitorId)));
}

export async function loadOrder(db: D1Database, siteId: string, orderId: string): Promise<OrderRow | undefined> {
  return createDb(db)
    .select(ORDER_ROW)
    .from(orders)
    .where(and(eq(orders.siteId, siteId), eq(orders.orderId, orderId)))
    .get();
}

/** Every report of an order, in no particular order (`seq` is their insertion order). */
export async function loadSources(db: D1Database, siteId: string, orderId: string): Promise<OrderSource[]> {
  return createDb(db)
    .select({
      source: orderSources.source,
      sourceKey: orderSources.sourceKey,
      visitorId: orderSources.visitorId,
      ts: orderSources.ts,
      valueMinor: orderSources.valueMinor,
      currency: orderSources.currency,
      status: orderSources.status,
      receivedAt: orderSources.receivedAt,
      seq: sql<number>`rowid`,
    })
    .from(orderSources)
    .where(and(eq(orderSources.siteId, siteId), eq(orderSources.orderId, orderId)));
}

/** Writes the merge of an order's sources onto its row. */
export async function updateMerged(
  db: D1Database,
  siteId: string,
  orderId: string,
  merged: MergedOrder,
  now: number,
): Promise<void> {
  await createDb(db)
    .update(orders)
    .set({ ...merged, updatedAt: now })
    .where(and(eq(orders.siteId, siteId), eq(orders.orderId, orderId)));
}

/** Guarded by the version read: it changes nothing if another writer got there first. */
const APPLY = `update orders set applied = ?1, credited_event_id = ?2, version = version + 1
  where site_id = ?3 and order_id = ?4 and version = ?5`;

/**
 * Records what an order now adds to the aggregates (`applied`) and whom it credits, bumping its
 * version, in the batch of the aggregate writes.
 */
export const applyStatement = (
  db: D1Database,
  siteId: string,
  order: Pick<OrderRow, 'orderId' | 'version'>,
  applied: string | null,
  credited: string | null,
): D1PreparedStatement => db.prepare(APPLY).bind(applied, credited, siteId, order.orderId, order.version);
