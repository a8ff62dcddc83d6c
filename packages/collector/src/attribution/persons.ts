import type { Settings } from '@lasttouch/shared';
import { type CustomerLink, MAX_DEVICES, type PersonKey } from '../identity/person.js';
import type { OrderRow } from '../orders/queries.js';
import { MAX_ORDERS_PER_STEP, personOrdersStatements, toOrders } from '../orders/queries.js';
import type { Exposure } from './contribution.js';
import { exposuresStatement } from './exposures.js';
import { personTouchesStatement, type TouchRow } from './touches.js';
import { longestWindow } from './windows.js';

/** A person to re-attribute, for its orders from `from` on (`null`: all of them). */
export interface PersonRequest {
  key: PersonKey;
  from: number | null;
}

/** What to load for a person: its devices, and from when (the longest window before `from`). */
export interface PersonPlan extends PersonRequest {
  customerHash: string | null;
  visitors: string[];
  /** From when orders and touches are read: the longest window before `from`. */
  since: number;
}

/**
 * Merges requests for the same person (the earliest `from` wins) and resolves each person's
 * devices from the link closure: a customer's most recently linked `MAX_DEVICES` visitors.
 */
export function planPersons(
  requests: readonly PersonRequest[],
  links: readonly CustomerLink[],
  settings: Settings,
): PersonPlan[] {
  const merged = new Map<PersonKey, number | null>();
  for (const r of requests) {
    const before = merged.get(r.key);
    merged.set(
      r.key,
      !merged.has(r.key) ? r.from : before === null || r.from === null ? null : Math.min(before!, r.from),
    );
  }
  const window = longestWindow(settings);
  return [...merged].map(([key, from]) => {
    const id = key.slice(2);
    const customerHash = key.startsWith('c:') ? id : null;
    const visitors =
      customerHash === null
        ? [id]
        : links
            .filter((l) => l.customerHash === customerHash)
            .sort((a, b) => b.learnedAt - a.learnedAt || (a.visitorId < b.visitorId ? -1 : 1))
            .slice(0, MAX_DEVICES)
            .map((l) => l.visitorId);
    return { key, from, customerHash, visitors, since: from === null ? 0 : from - window };
  });
}

/** The statements loading one person: orders (of its devices and its customer id), touches, exposures. */
export function personStatements(db: D1Database, siteId: string, plan: PersonPlan): D1PreparedStatement[] {
  const orders = personOrdersStatements(db, siteId, plan.visitors, plan.customerHash, plan.from ?? 0, plan.since);
  const none = db.prepare('select 1 where 0');
  return [
    ...orders,
    ...(orders.length === 2 ? [none, none] : []),
    personTouchesStatement(db, siteId, plan.visitors, plan.since, plan.from ?? 0, plan.customerHash),
    exposuresStatement(db, siteId, plan.visitors),
  ];
}

/** How many statements `personStatements` makes, so results can be sliced back per person. */
export const PERSON_STATEMENTS = 6;

/** A person as loaded. `cutoff`: orders from this time on were not loaded (too many); a later step continues there. */
export interface PersonData {
  plan: PersonPlan;
  orders: OrderRow[];
  touches: TouchRow[];
  exposures: Exposure[];
  cutoff: number | null;
}

export function personData(plan: PersonPlan, results: D1Result<Record<string, unknown>>[]): PersonData {
  const [byVisitor, visitorLookback, byCustomer, customerLookback, touches, exposures] = results;
  const lists = [toOrders(byVisitor), toOrders(byCustomer)];
  const lookback = [...toOrders(visitorLookback), ...toOrders(customerLookback)];
  const full = lists.filter((l) => l.length >= MAX_ORDERS_PER_STEP);
  let cutoff = full.length > 0 ? Math.min(...full.map((l) => l.at(-1)!.ts)) : null;
  // More than a step's worth of orders in one millisecond (only a forger makes those): take them
  // and move on, rather than loading the same step again.
  if (cutoff !== null && lists.flat().every((o) => o.ts >= cutoff!)) cutoff += 1;
  const orders = new Map<string, OrderRow>();
  for (const o of [...lookback, ...lists.flat()]) if (cutoff === null || o.ts < cutoff) orders.set(o.orderId, o);
  return {
    plan,
    orders: [...orders.values()],
    touches: (touches?.results ?? []) as unknown as TouchRow[],
    exposures: ((exposures?.results ?? []) as unknown as Exposure[]).map((e) => ({
      ...e,
      cohort: e.cohort === 1 ? 1 : 0,
    })),
    cutoff,
  };
}
