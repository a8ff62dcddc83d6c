import type { Settings } from '@lasttouch/shared';
import type { Contribution } from '../stats/order-aggregates.js';
import { dayOf } from '../time/days.js';
import { type Interaction, inWindow, type OrderAttribution } from './rules.js';

export interface OrderFacts {
  ts: number;
  valueMinor: number;
  currency: string;
  status: string;
  verified: boolean;
}

/**
 * The contribution of an order given its attribution (`null` when it does not count: refunded
 * or cancelled orders add nothing anywhere).
 */
export function contributionOf(
  order: OrderFacts,
  attribution: OrderAttribution | undefined,
  interactions: readonly Interaction[],
  settings: Settings,
): Contribution | null {
  if (order.status !== 'placed') return null;
  const credited = attribution?.credited ?? null;
  const firstLanding =
    credited?.action === 'link_landing'
      ? Math.min(
          ...interactions
            .filter((i) => i.action === 'link_landing' && i.conversation === credited.conversation)
            .map((i) => i.ts),
        )
      : order.ts;
  const touches = new Set(
    (attribution?.considered ?? [])
      .filter((c) => inWindow(c.interaction, order.ts, settings))
      .map((c) => `${c.interaction.action}|${c.interaction.channel ?? ''}`),
  );
  return {
    day: dayOf(order.ts),
    currency: order.currency,
    verified: order.verified,
    valueMinor: order.valueMinor,
    credit: credited && {
      action: credited.action,
      kind: credited.kind ?? '',
      widgetId: credited.widgetId ?? '',
      campaign: credited.campaign ?? '',
      sequence: credited.sequence ?? '',
      channel: credited.channel ?? '',
      conversation: credited.conversation ?? '',
      agent: credited.agent ?? '',
    },
    msToOrder: order.ts - firstLanding,
    touches: [...touches].sort(),
  };
}
