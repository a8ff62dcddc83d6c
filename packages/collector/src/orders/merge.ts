import type { OrderStatus, OrderSource as SourceKind } from '@lasttouch/shared';

/** One report of an order (a row of `order_reports`), in the order received (`seq`). */
export interface OrderReport {
  seq: number;
  source: SourceKind;
  visitorId: string | null;
  customerHash: string | null;
  /** Corrected SDK time or the server's `ts`; null when the server did not say. */
  ts: number | null;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  receivedAt: number;
}

export interface MergedOrder {
  visitorId: string | null;
  customerHash: string | null;
  ts: number;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  verified: boolean;
  /** SDK checkouts named different visitors and the server named none: the order is credited to nobody. */
  conflict: boolean;
}

/**
 * The order a log of reports describes.
 *
 * - The merchant's server is the authority, and its reports apply in the order received: the
 *   latest server report gives value, currency and status (placed → refunded → placed counts
 *   the order again); visitor, customer and time come from the latest server report that gives
 *   them. `verified` once any server report exists.
 * - The write key is public, so an SDK checkout cannot move what the server confirmed: SDK
 *   reports only fill in a visitor and time the server did not give, and only those received
 *   before the server's first report count (a later checkout of a known order id is kept in the
 *   log and shown, never used). SDK reports that disagree on the visitor give none (`conflict`):
 *   a forger can at most withhold credit, never take it.
 * - Without a server report: the first SDK report's value, the earliest SDK time, the visitor
 *   the SDK reports agree on.
 *
 * @example mergeOrder([{ seq: 1, source: 'sdk', visitorId: 'v1', ts: 5, … }]) // { visitorId: 'v1', verified: false, … }
 */
export function mergeOrder(reports: readonly OrderReport[]): MergedOrder | undefined {
  const bySeq = [...reports].sort((a, b) => a.seq - b.seq);
  const server = bySeq.filter((r) => r.source === 'server');
  const firstServerSeq = server[0]?.seq ?? Number.POSITIVE_INFINITY;
  const sdk = bySeq.filter((r) => r.source === 'sdk' && r.seq < firstServerSeq);
  const sdkVisitors = new Set(sdk.map((r) => r.visitorId).filter((v): v is string => v !== null));
  const sdkVisitor = sdkVisitors.size === 1 ? [...sdkVisitors][0]! : null;
  const sdkTimes = sdk.filter((r) => r.visitorId === sdkVisitor && r.ts !== null).map((r) => r.ts!);
  const sdkTs = sdkTimes.length > 0 ? Math.min(...sdkTimes) : null;
  const authority = server.at(-1);
  if (authority) {
    const serverVisitor = server.findLast((r) => r.visitorId !== null)?.visitorId ?? null;
    return {
      visitorId: serverVisitor ?? sdkVisitor,
      customerHash: server.findLast((r) => r.customerHash !== null)?.customerHash ?? null,
      ts: server.findLast((r) => r.ts !== null)?.ts ?? sdkTs ?? server[0]!.receivedAt,
      valueMinor: authority.valueMinor,
      currency: authority.currency,
      status: authority.status,
      verified: true,
      conflict: serverVisitor === null && sdkVisitors.size > 1,
    };
  }
  const first = sdk[0];
  if (!first) return undefined;
  return {
    visitorId: sdkVisitor,
    customerHash: null,
    ts: sdkTs ?? first.receivedAt,
    valueMinor: first.valueMinor,
    currency: first.currency,
    status: 'placed',
    verified: false,
    conflict: sdkVisitors.size > 1,
  };
}
