import type { OrderStatus, OrderSource as SourceKind } from '@lasttouch/shared';
import type { MergedOrder, OrderSource } from './merge.js';

/** A report of an order, as `order_sources` keeps it. */
export interface NewOrderSource {
  siteId: string;
  orderId: string;
  source: SourceKind;
  /** The event id of an SDK checkout, the digest of a server report. */
  sourceKey: string;
  visitorId: string | null;
  ts: number | null;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  receivedAt: number;
}

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
export interface NewOrder {
  siteId: string;
  orderId: string;
  visitorId: string | null;
  ts: number;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  verified: boolean;
  updatedAt: number;
}

/** Creates the order row if it is new; an existing one is left for the re-merge. */
const INSERT_ORDER = `insert into orders
    (site_id, order_id, visitor_id, ts, value_minor, currency, status, verified, updated_at)
  values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) on conflict do nothing`;

export const insertOrder = (db: D1Database, o: NewOrder): D1PreparedStatement =>
  db
    .prepare(INSERT_ORDER)
    .bind(o.siteId, o.orderId, o.visitorId, o.ts, o.valueMinor, o.currency, o.status, o.verified ? 1 : 0, o.updatedAt);

/** An `orders` row as attribution reads it. */
export interface OrderRow extends MergedOrder {
  orderId: string;
  creditedEventId: string | null;
  applied: string | null;
  version: number;
}

const ORDER_COLUMNS = `order_id as orderId, visitor_id as visitorId, ts, value_minor as valueMinor, currency, status,
  verified, credited_event_id as creditedEventId, applied, version`;

const toOrder = (r: OrderRow): OrderRow => ({ ...r, verified: Boolean(r.verified) });

export async function loadVisitorOrders(db: D1Database, siteId: string, visitorId: string): Promise<OrderRow[]> {
  const { results } = await db
    .prepare(`select ${ORDER_COLUMNS} from orders where site_id = ? and visitor_id = ?`)
    .bind(siteId, visitorId)
    .all<OrderRow>();
  return results.map(toOrder);
}

export async function loadOrder(db: D1Database, siteId: string, orderId: string): Promise<OrderRow | undefined> {
  const row = await db
    .prepare(`select ${ORDER_COLUMNS} from orders where site_id = ? and order_id = ?`)
    .bind(siteId, orderId)
    .first<OrderRow>();
  return row ? toOrder(row) : undefined;
}

export async function loadSources(db: D1Database, siteId: string, orderId: string): Promise<OrderSource[]> {
  const { results } = await db
    .prepare(
      `select source, source_key as sourceKey, visitor_id as visitorId, ts, value_minor as valueMinor, currency, status,
         received_at as receivedAt, rowid as seq
       from order_sources where site_id = ? and order_id = ?`,
    )
    .bind(siteId, orderId)
    .all<OrderSource>();
  return results;
}

/**
 * Records what an order now adds to the aggregates and who it credits, bumping its version;
 * guarded by the version read, so it changes nothing if another writer got there first.
 */
export const applyStatement = (
  db: D1Database,
  siteId: string,
  order: Pick<OrderRow, 'orderId' | 'version'>,
  applied: string | null,
  credited: string | null,
): D1PreparedStatement =>
  db
    .prepare(
      `update orders set applied = ?, credited_event_id = ?, version = version + 1
       where site_id = ? and order_id = ? and version = ?`,
    )
    .bind(applied, credited, siteId, order.orderId, order.version);

/** Writes the merge of an order's sources onto its row. */
export async function updateMerged(
  db: D1Database,
  siteId: string,
  orderId: string,
  merged: MergedOrder,
  now: number,
): Promise<void> {
  await db
    .prepare(
      `update orders set visitor_id = ?, ts = ?, value_minor = ?, currency = ?, status = ?, verified = ?, updated_at = ?
       where site_id = ? and order_id = ?`,
    )
    .bind(
      merged.visitorId,
      merged.ts,
      merged.valueMinor,
      merged.currency,
      merged.status,
      merged.verified ? 1 : 0,
      now,
      siteId,
      orderId,
    )
    .run();
}
