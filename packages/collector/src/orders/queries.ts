import type { OrderStatus, OrderSource as SourceKind } from '@lasttouch/shared';

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
