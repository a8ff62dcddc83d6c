import type { Settings } from '@lasttouch/shared';
import { type CustomerLink, type PersonKey, personAt } from '../identity/person.js';
import type { OrderRow } from '../orders/queries.js';
import type { Fold } from '../stats/fold.js';
import { slotOf } from '../time/slots.js';
import { type Contribution, contributionOf, convertedAt, type Exposure } from './contribution.js';
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
  converted: ConvertedChange[];
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
 * `cutoff`) gets the contribution its current attribution gives; converters of its devices'
 * lift groups move to their first counted order. Erased orders keep what they had.
 */
export function reattributePerson(
  data: PersonData,
  links: readonly CustomerLink[],
  settings: Settings,
  fold: Fold,
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
    const next = contributionOf(order, byOrder.get(order.orderId), settings, firstLinkAt, exposuresOf(order.visitorId));
    const change = changeContribution(fold, order, next);
    if (change) applied.push(change);
  }
  return {
    applied,
    converted: moveConverters(data, fold),
    continueFrom: data.cutoff,
  };
}

/**
 * Converters: a device becomes one for a lift group at its first placed order at or after its
 * first eligibility. Orders before `since` were not loaded, so a converter time already before
 * it stands.
 */
function moveConverters(data: PersonData, fold: Fold): ConvertedChange[] {
  const changes: ConvertedChange[] = [];
  for (const e of data.exposures) {
    if (e.convertedTs !== null && e.convertedTs < data.plan.since) continue;
    const times = data.orders.filter((o) => o.visitorId === e.visitorId && o.status === 'placed').map((o) => o.ts);
    const next = convertedAt(e, times);
    if (next === e.convertedTs) continue;
    if (e.convertedTs !== null)
      fold.add('lift_slots', [slotOf(e.convertedTs), e.groupKey, e.cohort], { converters: -1 });
    if (next !== null) {
      fold.add('lift_slots', [slotOf(next), e.groupKey, e.cohort], { converters: 1 });
      // A converter is always among the group's visitors, whatever range is read.
      fold.addVisitor('lift_slots', [slotOf(next), e.groupKey, e.cohort], e.visitorId);
    }
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
