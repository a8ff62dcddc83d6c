import type { OrderStatus, OrderSource as SourceKind } from '@lasttouch/shared';

/** One report of an order (a row of `order_sources`). */
export interface OrderSource {
  source: SourceKind;
  sourceKey: string;
  visitorId: string | null;
  ts: number | null;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  receivedAt: number;
  /** Insertion order, to rank server reports received in the same millisecond. */
  seq: number;
}

export interface MergedOrder {
  visitorId: string | null;
  ts: number;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  verified: boolean;
}

/**
 * The order that a set of reports describes.
 *
 * - verified: the server confirmed it at least once.
 * - value, currency and status: the latest server report (the merchant's system is the
 *   authority and a later report corrects an earlier one); without one, the SDK's.
 * - time and visitor: the SDK's checkout when there is one, because its clock is the clock of
 *   the interactions it is compared with; else the server's `ts`, else when the server first
 *   reported it.
 *
 * SDK reports are ranked by time then event id, not by arrival, so a late or retried checkout
 * gives the same result whatever order things arrived in.
 */
export function mergeOrder(sources: readonly OrderSource[]): MergedOrder | undefined {
  const sdk = sources
    .filter((s) => s.source === 'sdk')
    .sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0) || (a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0));
  const server = sources
    .filter((s) => s.source === 'server')
    .sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
  const firstSdk = sdk[0];
  const lastServer = server.at(-1);
  const authority = lastServer ?? firstSdk;
  if (!authority) return undefined;
  const serverTs = server.findLast((s) => s.ts !== null)?.ts ?? server[0]?.receivedAt;
  return {
    visitorId: firstSdk?.visitorId ?? server.findLast((s) => s.visitorId !== null)?.visitorId ?? null,
    ts: firstSdk?.ts ?? serverTs ?? authority.receivedAt,
    valueMinor: authority.valueMinor,
    currency: authority.currency,
    status: lastServer?.status ?? 'placed',
    verified: lastServer !== undefined,
  };
}
