import { refreshOrder } from '../orders/refresh.js';
import type { Site } from '../sites/site.js';
import { reattributeOrphan, reattributeVisitor } from './apply-credit.js';

/** Brings the given orders and visitors' attribution up to date. */
export async function reattribute(
  db: D1Database,
  site: Site,
  target: { visitors?: Iterable<string>; orderIds?: Iterable<string> },
  now: number,
): Promise<void> {
  const visitors = new Set(target.visitors);
  for (const orderId of new Set(target.orderIds)) {
    const { visitors: touched, orphan } = await refreshOrder(db, site.id, orderId, now);
    for (const v of touched) visitors.add(v);
    if (orphan) await reattributeOrphan(db, site, orphan);
  }
  for (const visitorId of visitors) await reattributeVisitor(db, site, visitorId);
}
