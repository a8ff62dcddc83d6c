/** A visitor tied to a customer, and when the collector learned it. */
export interface CustomerLink {
  customerHash: string;
  visitorId: string;
  learnedAt: number;
}

/** The unit attribution credits together: every device of a customer, or a visitor on its own. */
export type PersonKey = `c:${string}` | `v:${string}`;

/**
 * The customer a visitor's activity at `ts` belongs to, given the visitor's links: the one
 * learned last at or before `ts`, else (activity before any link) the one learned first. So on
 * a shared computer each touch belongs to exactly one customer, and a link learned after a
 * click (the shopper logs in later) still claims that click. `null` for a visitor never linked.
 *
 * @example ownerAt([{ customerHash: 'A', learnedAt: 10 }, { customerHash: 'B', learnedAt: 20 }], 15) // 'A'
 */
export function ownerAt(links: readonly Pick<CustomerLink, 'customerHash' | 'learnedAt'>[], ts: number): string | null {
  let best: (typeof links)[number] | undefined;
  for (const l of links) {
    if (l.learnedAt > ts) continue;
    if (!best || l.learnedAt > best.learnedAt || (l.learnedAt === best.learnedAt && l.customerHash < best.customerHash))
      best = l;
  }
  if (best) return best.customerHash;
  for (const l of links) {
    if (!best || l.learnedAt < best.learnedAt || (l.learnedAt === best.learnedAt && l.customerHash < best.customerHash))
      best = l;
  }
  return best?.customerHash ?? null;
}

/** The person an activity of `visitorId` at `ts` belongs to. */
export function personAt(visitorId: string, links: readonly CustomerLink[], ts: number): PersonKey {
  const owner = ownerAt(
    links.filter((l) => l.visitorId === visitorId),
    ts,
  );
  return owner === null ? `v:${visitorId}` : `c:${owner}`;
}

/**
 * The persons a visitor's activity can belong to: each customer it is linked to, or the visitor
 * itself when it has none.
 */
export function personsOf(visitorId: string, links: readonly CustomerLink[]): PersonKey[] {
  const mine = links.filter((l) => l.visitorId === visitorId);
  return mine.length === 0 ? [`v:${visitorId}`] : [...new Set(mine.map((l) => `c:${l.customerHash}` as const))];
}

/** How many devices of one customer attribution reads: the most recently linked ones. */
export const MAX_DEVICES = 10;
