import type { Action, CreditPolicy, Settings, WidgetKind } from '@lasttouch/shared';
import { ACTION_PRIORITY, windowFor } from './windows.js';

/** A qualifying interaction of a person (a `touches` row with an action). */
export interface Interaction {
  eventId: string;
  /** The device (visitor id) it happened on. */
  visitorId: string;
  ts: number;
  action: Action;
  kind: WidgetKind | null;
  widgetId: string | null;
  campaign: string | null;
  sequence: string | null;
  channel: string | null;
  conversation: string | null;
  agent: string | null;
  linkId: string | null;
}

/** An order as attribution sees it: only orders with status `placed` take part. */
export interface OrderPoint {
  orderId: string;
  ts: number;
}

/** Why a considered interaction did not earn the order. */
export type Loss =
  | { code: 'outside_window'; windowMs: number }
  | { code: 'spent'; firstOrderId: string }
  | { code: 'earlier' }
  | { code: 'tie_priority' }
  | { code: 'tie_event_id' };

export interface Considered {
  interaction: Interaction;
  /** `null` for the credited interaction. */
  lost: Loss | null;
}

export interface OrderAttribution {
  orderId: string;
  credited: Interaction | null;
  /** Every interaction at or before the order, best ranked first. */
  considered: Considered[];
}

/**
 * Ranking of interactions for credit: later first; at the same millisecond the action priority
 * (`ACTION_PRIORITY`), then the smaller event id. Total, so the winner never depends on the
 * order rows come back from the database.
 */
export function compareInteractions(a: Interaction, b: Interaction): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  const pa = ACTION_PRIORITY[a.action];
  const pb = ACTION_PRIORITY[b.action];
  if (pa !== pb) return pa - pb;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Orders in time order; equal times by order id, so "the first order after" is well defined. */
function compareOrders(a: OrderPoint, b: OrderPoint): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
}

/**
 * Whether `interaction` is inside its window for an order at `orderTs`: at or before the order
 * and at most the window earlier (exactly the window is in, one millisecond more is out).
 */
export function inWindow(interaction: Interaction, orderTs: number, settings: Settings): boolean {
  return interaction.ts <= orderTs && orderTs - interaction.ts <= windowFor(interaction, settings);
}

/** The candidates of an order: the visitor's interactions inside their window, best first. */
export function candidates(order: OrderPoint, interactions: readonly Interaction[], settings: Settings): Interaction[] {
  return interactions.filter((i) => inWindow(i, order.ts, settings)).sort(compareInteractions);
}

/**
 * Credits every placed order of one person (a visitor, or every device of a customer).
 *
 * - `every`: each order goes to its best-ranked candidate.
 * - `first`: an interaction can only earn the first order placed at or after it (orders ranked
 *   by `compareOrders`); once that order exists the interaction is spent, whether it won it or
 *   not. A later order therefore goes to the best candidate that happened since the previous
 *   order, or to nobody.
 *
 * Pure and deterministic: the same inputs in any order give the same result, which is what
 * makes re-running attribution idempotent.
 */
export function attributePerson(
  orders: readonly OrderPoint[],
  interactions: readonly Interaction[],
  settings: Settings,
  policy: CreditPolicy = settings.creditPolicy,
): OrderAttribution[] {
  const sortedOrders = [...orders].sort(compareOrders);
  const sorted = [...interactions].sort(compareInteractions);
  // Both lists are sorted, so one merge walk finds every interaction's first order.
  const firstOrder = new Map<Interaction, string | undefined>();
  let next = sortedOrders.length;
  for (const i of sorted) {
    while (next > 0 && sortedOrders[next - 1]!.ts >= i.ts) next--;
    firstOrder.set(i, sortedOrders[next]?.orderId);
  }
  const firstOrderOf = (i: Interaction) => firstOrder.get(i);
  return sortedOrders.map((order) => {
    const before = sorted.filter((i) => i.ts <= order.ts);
    const eligible = (i: Interaction) =>
      inWindow(i, order.ts, settings) && (policy === 'every' || firstOrderOf(i) === order.orderId);
    const credited = before.find(eligible) ?? null;
    const considered = before.map((interaction): Considered => {
      if (interaction === credited) return { interaction, lost: null };
      return { interaction, lost: lossOf(interaction, credited, order, settings, policy, firstOrderOf) };
    });
    return { orderId: order.orderId, credited, considered };
  });
}

function lossOf(
  i: Interaction,
  credited: Interaction | null,
  order: OrderPoint,
  settings: Settings,
  policy: CreditPolicy,
  firstOrderOf: (i: Interaction) => string | undefined,
): Loss {
  if (!inWindow(i, order.ts, settings)) return { code: 'outside_window', windowMs: windowFor(i, settings) };
  const first = firstOrderOf(i);
  if (policy === 'first' && first !== undefined && first !== order.orderId)
    return { code: 'spent', firstOrderId: first };
  // Only reachable with a winner: an in-window, unspent interaction would have won otherwise.
  if (credited === null || credited.ts !== i.ts) return { code: 'earlier' };
  return ACTION_PRIORITY[credited.action] !== ACTION_PRIORITY[i.action]
    ? { code: 'tie_priority' }
    : { code: 'tie_event_id' };
}

/** A loss as the order detail shows it. */
export function describeLoss(loss: Loss): string {
  switch (loss.code) {
    case 'outside_window':
      return `outside its attribution window (${loss.windowMs / 1000} seconds)`;
    case 'spent':
      return `credit policy "first": already spent on order ${loss.firstOrderId}, the first order after it`;
    case 'earlier':
      return 'earlier than the credited interaction';
    case 'tie_priority':
      return 'same time as the credited interaction, whose action ranks higher';
    case 'tie_event_id':
      return 'same time and action as the credited interaction, which has the smaller event id';
  }
}
