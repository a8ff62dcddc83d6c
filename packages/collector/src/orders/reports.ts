import type { OrderRequest } from '@lasttouch/shared';
import { sha256Hex } from '../crypto/hash.js';
import type { Deriver } from '../ingest/types.js';
import { insertOrder, insertOrderSource } from './queries.js';

/**
 * SDK checkouts: the report is kept as an order source (keyed by event id) and the order row is
 * created if new.
 */
export const recordCheckout: Deriver = async (ctx, event) => {
  // Registered for checkouts only, whose order id, value and currency normalizeEvent always sets.
  const order = {
    siteId: event.siteId,
    orderId: event.orderId!,
    visitorId: event.visitorId,
    ts: event.ts,
    valueMinor: event.valueMinor!,
    currency: event.currency!,
    status: 'placed',
  } as const;
  return [
    insertOrderSource(ctx.db, { ...order, source: 'sdk', sourceKey: event.eventId, receivedAt: ctx.now }),
    insertOrder(ctx.db, { ...order, verified: false, updatedAt: ctx.now }),
  ];
};

/**
 * A server report's identity: a digest of what it says. A retry of the same request is the same
 * source (stored once); a report with another value or status is a new source kept beside it.
 */
function sourceKey(input: OrderRequest, valueMinor: number, ts: number | null): Promise<string> {
  const canonical = JSON.stringify([valueMinor, input.currency, input.visitorId ?? null, ts, input.status ?? 'placed']);
  return sha256Hex(canonical);
}

const toMs = (ts: OrderRequest['ts']): number | null =>
  ts === undefined ? null : typeof ts === 'number' ? ts : Date.parse(ts);

/**
 * A server confirmation (`POST /v1/orders`): its source, and the order row if it is new (dated
 * by the report's `ts`, else by its arrival), verified.
 */
export async function recordServerReport(
  db: D1Database,
  siteId: string,
  input: OrderRequest,
  valueMinor: number,
  now: number,
): Promise<D1PreparedStatement[]> {
  const ts = toMs(input.ts);
  const report = {
    siteId,
    orderId: input.orderId,
    visitorId: input.visitorId ?? null,
    valueMinor,
    currency: input.currency,
    status: input.status ?? 'placed',
  };
  return [
    insertOrderSource(db, {
      ...report,
      source: 'server',
      sourceKey: await sourceKey(input, valueMinor, ts),
      ts,
      receivedAt: now,
    }),
    insertOrder(db, { ...report, ts: ts ?? now, verified: true, updatedAt: now }),
  ];
}
