import { type CandidateView, type InteractionView, type OrderDetail, toMajorUnits } from '@lasttouch/shared';
import { linkClosureStatement } from '../identity/links.js';
import { type CustomerLink, type PersonKey, personAt } from '../identity/person.js';
import { mergeOrder } from '../orders/merge.js';
import { ordersByIdsStatement, reportsStatement, toOrders, toReports } from '../orders/queries.js';
import type { Site } from '../sites/site.js';
import { PERSON_STATEMENTS, personData, personStatements, planPersons } from './persons.js';
import { attributePerson, describeLoss } from './rules.js';
import type { TouchRow } from './touches.js';
import { longestWindow } from './windows.js';

/** How many candidates an order detail lists (the best ranked). */
const MAX_CANDIDATES = 50;

const iso = (ms: number) => new Date(ms).toISOString();

function interactionView(t: TouchRow): InteractionView {
  return {
    action: t.action,
    kind: t.kind,
    id: t.widgetId,
    campaign: t.campaign,
    sequence: t.sequence,
    channel: t.channel,
    conversation: t.conversation,
    ts: iso(t.ts),
    visitorId: t.visitorId,
    ...(t.action === 'link_landing'
      ? { forwarded: t.recipientVisitor !== null && t.recipientVisitor !== t.visitorId }
      : {}),
  };
}

/**
 * `GET /v1/orders/:orderId`: the order as its reports merge, every report, and its attribution
 * recomputed with the same pure rules and the same loads that feed the aggregates, so the
 * explanation matches the counts (once the queue has applied the latest change). Refunded and
 * cancelled orders are credited to nobody. Three D1 calls.
 */
export async function explainOrder(db: D1Database, site: Site, orderId: string): Promise<OrderDetail | undefined> {
  const [reportRows, orderRows] = await db.batch<Record<string, unknown>>([
    reportsStatement(db, site.id, [orderId]),
    ordersByIdsStatement(db, site.id, [orderId]),
  ]);
  const reports = toReports(reportRows).get(orderId) ?? [];
  const row = toOrders(orderRows)[0];
  const merged = row?.erased ? row : (mergeOrder(reports) ?? row);
  if (!merged) return undefined;
  let credited: InteractionView | null = null;
  let candidates: CandidateView[] = [];
  const seedVisitors = merged.visitorId === null ? [] : [merged.visitorId];
  const seedCustomers = merged.customerHash === null ? [] : [merged.customerHash];
  if (merged.status === 'placed' && seedVisitors.length + seedCustomers.length > 0) {
    const { results: links } = await linkClosureStatement(db, site.id, seedVisitors, seedCustomers).all<CustomerLink>();
    const key: PersonKey =
      merged.customerHash !== null ? `c:${merged.customerHash}` : personAt(merged.visitorId!, links, merged.ts);
    // Orders from one window before this one decide which interactions it could still earn.
    const [plan] = planPersons([{ key, from: merged.ts - longestWindow(site.settings) }], links, site.settings);
    const results = await db.batch<Record<string, unknown>>(personStatements(db, site.id, plan!));
    const data = personData(plan!, results.slice(0, PERSON_STATEMENTS));
    const owns = (visitorId: string, ts: number) => personAt(visitorId, links, ts) === key;
    const orders = data.orders
      .filter((o) => o.orderId !== orderId)
      .concat({ ...merged, orderId, applied: null, erased: false })
      .filter(
        (o) =>
          o.status === 'placed' &&
          (o.customerHash !== null ? `c:${o.customerHash}` === key : o.visitorId !== null && owns(o.visitorId, o.ts)),
      );
    const touches = data.touches.filter((t) => owns(t.visitorId, t.ts));
    const attribution = attributePerson(orders, touches, site.settings).find((a) => a.orderId === orderId);
    if (attribution) {
      credited = attribution.credited ? interactionView(attribution.credited as TouchRow) : null;
      candidates = attribution.considered
        .filter((c) => c.lost !== null)
        .slice(0, MAX_CANDIDATES)
        .map((c) => ({ ...interactionView(c.interaction as TouchRow), lost: describeLoss(c.lost!) }));
    }
  }
  return {
    orderId,
    value: toMajorUnits(merged.valueMinor, merged.currency),
    currency: merged.currency,
    status: merged.status,
    verified: merged.verified,
    visitorId: merged.visitorId,
    ts: iso(merged.ts),
    credited,
    candidates,
    sources: reports.map((r) => ({
      source: r.source,
      value: toMajorUnits(r.valueMinor, r.currency),
      currency: r.currency,
      status: r.status,
      receivedAt: iso(r.receivedAt),
    })),
  };
}
