import type { Settings } from '@lasttouch/shared';
import { type CustomerLink, type PersonKey, personAt } from '../identity/person.js';
import type { OrderRow } from '../orders/queries.js';
import { entryOf, type Fold } from '../stats/fold.js';
import { slotOf } from '../time/slots.js';
import { type Contribution, contributionOf, convertedAt, type Exposure, settledContribution } from './contribution.js';
import type { PersonData } from './persons.js';
import { attributePerson, type Interaction } from './rules.js';

/** Adds (`sign` 1) or takes back (-1) what an order's contribution adds to the aggregates. */
export function foldContribution(fold: Fold, c: Contribution, sign: 1 | -1): void {
  const verified = c.verified ? 1 : 0;
  const value = sign * c.valueMinor;
  fold.add('order_slots', [c.slot, c.currency, verified], { orders: sign, value_minor: value });
  for (const touch of c.touches) {
    const [action, channel] = touch.split('|') as [string, string];
    fold.add('touch_slots', [c.slot, action, channel, verified], { orders: sign });
  }
  if (c.credit) {
    const k = c.credit;
    fold.add(
      'credit_slots',
      [
        c.slot,
        k.action,
        k.kind,
        k.widgetId,
        k.campaign,
        k.sequence,
        k.channel,
        k.conversation,
        k.agent,
        c.currency,
        verified,
      ],
      { orders: sign, value_minor: value, ms_to_order: sign * c.msToOrder },
    );
  }
  for (const entry of c.lift) {
    const cut = entry.lastIndexOf('|');
    fold.add('lift_orders', [c.slot, entry.slice(0, cut), Number(entry.slice(cut + 1)), c.currency], {
      orders: sign,
      value_minor: value,
    });
  }
}

/** A new `applied` for an order, when its contribution changed. */
export interface AppliedChange {
  orderId: string;
  applied: string | null;
}

/**
 * Moves an order from what it contributed (`order.applied`) to `next`: folds the difference and
 * answers the new `applied`, or nothing when unchanged.
 */
export function changeContribution(fold: Fold, order: OrderRow, next: Contribution | null): AppliedChange | undefined {
  const applied = next === null ? null : JSON.stringify(next);
  if (applied === order.applied) return undefined;
  if (order.applied !== null) foldContribution(fold, JSON.parse(order.applied) as Contribution, -1);
  if (next !== null) foldContribution(fold, next, 1);
  return { orderId: order.orderId, applied };
}

/** A converter time that moved, per exposure. */
export interface ConvertedChange {
  visitorId: string;
  groupKey: string;
  convertedTs: number | null;
}

export interface PersonResult {
  applied: AppliedChange[];
  /** Orders from this time on still need this person re-attributed (the step was full). */
  continueFrom: number | null;
}

const owner = (visitorId: string | null, customerHash: string | null, links: readonly CustomerLink[], ts: number) =>
  customerHash !== null
    ? (`c:${customerHash}` as PersonKey)
    : visitorId === null
      ? null
      : personAt(visitorId, links, ts);

/**
 * Re-attributes one loaded person into `fold`: every order it owns from `plan.from` on (before
 * `cutoff`) gets the contribution its current attribution gives. Erased orders keep what they
 * had; orders placed before `settledBefore` keep whom they credit (`settledContribution`).
 * (Converters are moved per step, not per person: `moveConverters`.)
 */
export function reattributePerson(
  data: PersonData,
  links: readonly CustomerLink[],
  settings: Settings,
  fold: Fold,
  settledBefore: number,
): PersonResult {
  const { plan } = data;
  const ownedOrders = data.orders.filter((o) => owner(o.visitorId, o.customerHash, links, o.ts) === plan.key);
  const ownedTouches: Interaction[] = data.touches.filter((t) => personAt(t.visitorId, links, t.ts) === plan.key);
  const placed = ownedOrders.filter((o) => o.status === 'placed');
  const byOrder = new Map(attributePerson(placed, ownedTouches, settings).map((a) => [a.orderId, a]));
  const firstLinkAt = new Map<string, number>();
  for (const t of data.touches) {
    if (t.conversation !== null && t.firstLinkAt !== null) firstLinkAt.set(t.conversation, t.firstLinkAt);
  }
  const exposuresOf = (visitorId: string | null): Exposure[] =>
    visitorId === null ? [] : data.exposures.filter((e) => e.visitorId === visitorId);
  const applied: AppliedChange[] = [];
  for (const order of ownedOrders) {
    if (order.erased || (plan.from !== null && order.ts < plan.from)) continue;
    const next =
      order.ts < settledBefore && order.applied !== null
        ? settledContribution(order, JSON.parse(order.applied) as Contribution)
        : contributionOf(order, byOrder.get(order.orderId), settings, firstLinkAt, exposuresOf(order.visitorId));
    const change = changeContribution(fold, order, next);
    if (change) applied.push(change);
  }
  return { applied, continueFrom: data.cutoff };
}

/**
 * Converters of the devices of a step's loaded persons: a device becomes one for a lift group at
 * its first placed order at or after its first eligibility. Moved once per step: a device of two
 * customers (a shared computer) is loaded with both, and folding its move twice would count it
 * twice. Each exposure is judged from the load that reaches furthest back, with every order of
 * its device any load read; orders before that load's `since` were not read, so a converter time
 * already before it stands.
 */
export function moveConverters(loaded: readonly PersonData[], fold: Fold): ConvertedChange[] {
  const widest = new Map<string, { exposure: Exposure; since: number }>();
  const orders = new Map<string, OrderRow>();
  for (const data of loaded) {
    for (const o of data.orders) orders.set(o.orderId, o);
    for (const exposure of data.exposures) {
      const key = `${exposure.visitorId}|${exposure.groupKey}`;
      const before = widest.get(key);
      if (!before || data.plan.since < before.since) widest.set(key, { exposure, since: data.plan.since });
    }
  }
  const placedTimes = new Map<string, number[]>();
  for (const o of orders.values()) {
    if (o.visitorId !== null && o.status === 'placed') entryOf(placedTimes, o.visitorId, () => []).push(o.ts);
  }
  const changes: ConvertedChange[] = [];
  for (const { exposure: e, since } of widest.values()) {
    if (e.convertedTs !== null && e.convertedTs < since) continue;
    const next = convertedAt(e, placedTimes.get(e.visitorId) ?? []);
    if (next === e.convertedTs) continue;
    if (e.convertedTs !== null)
      fold.add('lift_slots', [slotOf(e.convertedTs), e.groupKey, e.cohort], { converters: -1 });
    // Not added to the slot's visitors sketch: a sketch cannot forget, and a converter moves (a
    // refund, an earlier order or eligibility arriving late); the stats read at least the converters.
    if (next !== null) fold.add('lift_slots', [slotOf(next), e.groupKey, e.cohort], { converters: 1 });
    changes.push({ visitorId: e.visitorId, groupKey: e.groupKey, convertedTs: next });
  }
  return changes;
}

/**
 * Orders with neither visitor nor customer (a server report that named none, or SDK reports
 * that disagreed): no one to credit, but they count in the site's totals.
 */
export function reattributeOrphans(orders: readonly OrderRow[], settings: Settings, fold: Fold): AppliedChange[] {
  const changes: AppliedChange[] = [];
  for (const order of orders) {
    if (order.erased || order.visitorId !== null || order.customerHash !== null) continue;
    const change = changeContribution(fold, order, contributionOf(order, undefined, settings, new Map(), []));
    if (change) changes.push(change);
  }
  return changes;
}
