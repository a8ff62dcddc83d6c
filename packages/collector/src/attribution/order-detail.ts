import { type CandidateView, type InteractionView, type OrderDetail, toMajorUnits } from '@lasttouch/shared';
import { loadOrder, loadSources } from '../orders/queries.js';
import type { Site } from '../sites/site.js';
import { attributionOfVisitor } from './credit.js';
import { describeLoss, type Interaction } from './rules.js';

/** How many candidates an order detail lists (the best ranked). */
const MAX_CANDIDATES = 50;

const iso = (ms: number) => new Date(ms).toISOString();

function interactionView(i: Interaction): InteractionView {
  return {
    action: i.action,
    kind: i.kind,
    id: i.widgetId,
    campaign: i.campaign,
    sequence: i.sequence,
    channel: i.channel,
    conversation: i.conversation,
    ts: iso(i.ts),
    ...(i.action === 'link_landing' ? { forwarded: i.forwarded } : {}),
  };
}

/**
 * `GET /v1/orders/:orderId`: the order, every report of it, and its attribution recomputed with
 * the same pure rules that feed the aggregates, so the explanation matches the counts.
 * Refunded and cancelled orders are credited to nobody.
 */
export async function orderDetail(db: D1Database, site: Site, orderId: string): Promise<OrderDetail | undefined> {
  const order = await loadOrder(db, site.id, orderId);
  if (!order) return undefined;
  const sources = await loadSources(db, site.id, orderId);
  const attribution =
    order.visitorId !== null && order.status === 'placed'
      ? (await attributionOfVisitor(db, site, order.visitorId)).byOrder.get(orderId)
      : undefined;
  return {
    orderId,
    value: toMajorUnits(order.valueMinor, order.currency),
    currency: order.currency,
    status: order.status,
    verified: order.verified,
    visitorId: order.visitorId,
    ts: iso(order.ts),
    credited: attribution?.credited ? interactionView(attribution.credited) : null,
    candidates: (attribution?.considered ?? [])
      .filter((c) => c.lost !== null)
      .slice(0, MAX_CANDIDATES)
      .map((c): CandidateView => ({ ...interactionView(c.interaction), lost: describeLoss(c.lost!) })),
    sources: sources
      .sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq)
      .map((s) => ({
        source: s.source,
        value: toMajorUnits(s.valueMinor, s.currency),
        currency: s.currency,
        status: s.status,
        receivedAt: iso(s.receivedAt),
      })),
  };
}
