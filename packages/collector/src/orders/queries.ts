import type { OrderStatus } from '@lasttouch/shared';
import type { MergedOrder, OrderReport } from './merge.js';

/** An `orders` row as attribution reads it. */
export interface OrderRow extends MergedOrder {
  orderId: string;
  applied: string | null;
  erased: boolean;
}

const ORDER_COLUMNS = `order_id as orderId, visitor_id as visitorId, customer_hash as customerHash, ts,
  value_minor as valueMinor, currency, status, verified, applied, erased`;

const toOrder = (r: Record<string, unknown>): OrderRow => ({
  orderId: r.orderId as string,
  visitorId: (r.visitorId as string | null) ?? null,
  customerHash: (r.customerHash as string | null) ?? null,
  ts: r.ts as number,
  valueMinor: r.valueMinor as number,
  currency: r.currency as string,
  status: r.status as OrderStatus,
  verified: Boolean(r.verified),
  // A conflict leaves the visitor empty; the row does not need to remember why.
  conflict: false,
  applied: (r.applied as string | null) ?? null,
  erased: Boolean(r.erased),
});

export const toOrders = (result: D1Result<Record<string, unknown>> | undefined): OrderRow[] =>
  (result?.results ?? []).map(toOrder);

const BY_IDS = `select ${ORDER_COLUMNS} from orders where site_id = ?1 and order_id in (select value from json_each(?2))`;

export const ordersByIdsStatement = (db: D1Database, siteId: string, ids: string[]): D1PreparedStatement =>
  db.prepare(BY_IDS).bind(siteId, JSON.stringify(ids));

/** How many orders one person's attribution step handles; more continue in a later step. */
export const MAX_ORDERS_PER_STEP = 500;

const OWNER = { visitors: 'visitor_id in (select value from json_each(?2))', customer: 'customer_hash = ?2' } as const;
// Without statistics SQLite may scan the site's orders in key order to honour ORDER BY;
// naming the index keeps a person's load a few index seeks (test/attribution-plan.test.ts).
const INDEX = (owner: string) =>
  owner === OWNER.visitors ? 'indexed by orders_site_visitor_ts' : 'indexed by orders_site_customer';
const MAIN = (owner: string) => `select ${ORDER_COLUMNS} from orders ${INDEX(owner)}
  where site_id = ?1 and ${owner} and ts >= ?3 order by ts, order_id limit ${MAX_ORDERS_PER_STEP}`;
const LOOKBACK = (owner: string) => `select ${ORDER_COLUMNS} from orders ${INDEX(owner)}
  where site_id = ?1 and ${owner} and ts >= ?3 and ts < ?4 order by ts desc, order_id desc limit ${MAX_ORDERS_PER_STEP}`;

/**
 * A person's orders for one attribution step: those from `from` on (oldest first, at most
 * `MAX_ORDERS_PER_STEP`: the step re-attributes these), and the latest ones in the window
 * before `from` (they only tell which interactions an earlier order already spent, under
 * credit policy `first`). Each for the person's devices and for its customer id.
 */
export function personOrdersStatements(
  db: D1Database,
  siteId: string,
  visitors: string[],
  customerHash: string | null,
  from: number,
  since: number,
): D1PreparedStatement[] {
  const owners: [string, string][] = [[OWNER.visitors, JSON.stringify(visitors)]];
  if (customerHash !== null) owners.push([OWNER.customer, customerHash]);
  return owners.flatMap(([owner, value]) => [
    db.prepare(MAIN(owner)).bind(siteId, value, from),
    db.prepare(LOOKBACK(owner)).bind(siteId, value, since, from),
  ]);
}

const REPORT_COLUMNS = `order_id as orderId, seq, source, visitor_id as visitorId, customer_hash as customerHash, ts,
  value_minor as valueMinor, currency, status, received_at as receivedAt`;

const REPORTS = `select ${REPORT_COLUMNS} from order_reports
  where site_id = ?1 and order_id in (select value from json_each(?2)) order by order_id, seq`;

export const reportsStatement = (db: D1Database, siteId: string, ids: string[]): D1PreparedStatement =>
  db.prepare(REPORTS).bind(siteId, JSON.stringify(ids));

export const toReports = (result: D1Result<Record<string, unknown>> | undefined): Map<string, OrderReport[]> => {
  const byOrder = new Map<string, OrderReport[]>();
  for (const r of result?.results ?? []) {
    const list = byOrder.get(r.orderId as string) ?? [];
    list.push(r as unknown as OrderReport);
    byOrder.set(r.orderId as string, list);
  }
  return byOrder;
};

/**
 * Appends reports to their orders' logs in one statement. Each report's `seq` is one more than
 * its order's last (plus its place among this statement's reports of the same order), taken in
 * the statement itself, so concurrent appends (the consumer's SDK checkouts, the server's
 * reports) each get their own place in the order received.
 */
const APPEND = `insert into order_reports
    (site_id, order_id, seq, source, visitor_id, customer_hash, ts, value_minor, currency, status, received_at)
  select ?1, j.value->>0,
    (select coalesce(max(seq), 0) from order_reports where site_id = ?1 and order_id = j.value->>0) + (j.value->>1),
    j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7, j.value->>8, j.value->>9
  from json_each(?2) j`;

export function appendReportsStatement(
  db: D1Database,
  siteId: string,
  reports: readonly { orderId: string; report: Omit<OrderReport, 'seq'> }[],
): D1PreparedStatement {
  const place = new Map<string, number>();
  const rows = reports.map(({ orderId, report: r }) => {
    const n = (place.get(orderId) ?? 0) + 1;
    place.set(orderId, n);
    return [orderId, n, r.source, r.visitorId, r.customerHash, r.ts, r.valueMinor, r.currency, r.status, r.receivedAt];
  });
  return db.prepare(APPEND).bind(siteId, JSON.stringify(rows));
}

const UPSERT = `insert into orders
    (site_id, order_id, visitor_id, customer_hash, ts, value_minor, currency, status, verified, updated_at)
  select ?1, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7, ?3
  from json_each(?2) j where true
  on conflict (site_id, order_id) do update set visitor_id = excluded.visitor_id,
    customer_hash = excluded.customer_hash, ts = excluded.ts, value_minor = excluded.value_minor,
    currency = excluded.currency, status = excluded.status, verified = excluded.verified, updated_at = excluded.updated_at
  where orders.erased = 0`;

/** Writes orders as their logs merge; an erased order keeps what it had. */
export const upsertOrdersStatement = (
  db: D1Database,
  siteId: string,
  merged: { orderId: string; order: MergedOrder }[],
  now: number,
): D1PreparedStatement =>
  db
    .prepare(UPSERT)
    .bind(
      siteId,
      JSON.stringify(
        merged.map(({ orderId, order: o }) => [
          orderId,
          o.visitorId,
          o.customerHash,
          o.ts,
          o.valueMinor,
          o.currency,
          o.status,
          o.verified ? 1 : 0,
        ]),
      ),
      now,
    );

// Keyed by the listed ids (`in (select …)`), not `update … from json_each`: SQLite would scan
// every order of the site for the latter.
const SET_APPLIED = `update orders set applied = (select j.value->>1 from json_each(?2) j where j.value->>0 = orders.order_id)
  where site_id = ?1 and order_id in (select j.value->>0 from json_each(?2) j) and erased = 0`;

/** Records the contribution now applied to the aggregates, per order. */
export const setAppliedStatement = (
  db: D1Database,
  siteId: string,
  applied: { orderId: string; applied: string | null }[],
): D1PreparedStatement =>
  db.prepare(SET_APPLIED).bind(siteId, JSON.stringify(applied.map((a) => [a.orderId, a.applied])));
