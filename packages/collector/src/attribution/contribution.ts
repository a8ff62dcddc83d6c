import type { Action, Settings } from '@lasttouch/shared';
import { slotOf } from '../time/slots.js';
import { type Interaction, inWindow, type OrderAttribution } from './rules.js';

/** The dimensions of a credited interaction as the aggregates key them ('' for none). */
export interface CreditKey {
  action: Action;
  kind: string;
  widgetId: string;
  campaign: string;
  sequence: string;
  channel: string;
  conversation: string;
  agent: string;
}

/**
 * What one placed order adds to the aggregates. Stored as JSON on the order (`orders.applied`)
 * so that a re-attribution subtracts exactly what was added before.
 */
export interface Contribution {
  slot: number;
  currency: string;
  verified: boolean;
  valueMinor: number;
  credit: CreditKey | null;
  /** Tagged-link credit: ms from the conversation's first tagged link to the order. */
  msToOrder: number;
  /** Distinct `action|channel` of interactions inside their window before the order, sorted. */
  touches: string[];
  /** Lift groups (`group|cohort`) the order's visitor was eligible for at or before the order, sorted. */
  lift: string[];
}

export interface OrderFacts {
  ts: number;
  valueMinor: number;
  currency: string;
  status: string;
  verified: boolean;
}

/** A visitor's first eligibility for a lift group. */
export interface Exposure {
  visitorId: string;
  groupKey: string;
  cohort: 0 | 1;
  firstTs: number;
  convertedTs: number | null;
}

/**
 * The contribution of an order given its attribution (`null` when it does not count: refunded
 * or cancelled orders add nothing anywhere). `firstLinkAt` gives each conversation's first
 * tagged link (the first exchange the collector knows of); `exposures` are those of the order's
 * own visitor (lift compares browsers, not customers).
 */
export function contributionOf(
  order: OrderFacts,
  attribution: OrderAttribution | undefined,
  settings: Settings,
  firstLinkAt: ReadonlyMap<string, number>,
  exposures: readonly Exposure[],
): Contribution | null {
  if (order.status !== 'placed') return null;
  const credited = attribution?.credited ?? null;
  const since =
    credited?.action === 'link_landing' && credited.conversation !== null
      ? Math.min(firstLinkAt.get(credited.conversation) ?? credited.ts, credited.ts)
      : order.ts;
  const touches = new Set(
    (attribution?.considered ?? [])
      .filter((c) => inWindow(c.interaction, order.ts, settings))
      .map((c) => `${c.interaction.action}|${c.interaction.channel ?? ''}`),
  );
  const lift = new Set(exposures.filter((e) => e.firstTs <= order.ts).map((e) => `${e.groupKey}|${e.cohort}`));
  return {
    slot: slotOf(order.ts),
    currency: order.currency,
    verified: order.verified,
    valueMinor: order.valueMinor,
    credit: credited && creditKey(credited),
    msToOrder: order.ts - since,
    touches: [...touches].sort(),
    lift: [...lift].sort(),
  };
}

/**
 * The contribution of a settled order (`SETTLED_AFTER_MS`): whom it credited stands, since the
 * touches that decided it may be gone; its reports still move it (a late refund, a new value).
 */
export function settledContribution(order: OrderFacts, before: Contribution): Contribution | null {
  if (order.status !== 'placed') return null;
  return {
    ...before,
    slot: slotOf(order.ts),
    currency: order.currency,
    verified: order.verified,
    valueMinor: order.valueMinor,
  };
}

const creditKey = (i: Interaction): CreditKey => ({
  action: i.action,
  kind: i.kind ?? '',
  widgetId: i.widgetId ?? '',
  campaign: i.campaign ?? '',
  sequence: i.sequence ?? '',
  channel: i.channel ?? '',
  conversation: i.conversation ?? '',
  agent: i.agent ?? '',
});

/**
 * The first counted order of a visitor at or after its eligibility: the time it became a
 * converter for that group (`null`: not one).
 */
export function convertedAt(exposure: Exposure, placedOrderTimes: readonly number[]): number | null {
  let first: number | null = null;
  for (const ts of placedOrderTimes) if (ts >= exposure.firstTs && (first === null || ts < first)) first = ts;
  return first;
}
