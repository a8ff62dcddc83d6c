import { loadVisitorOrders, type OrderRow } from '../orders/queries.js';
import type { Site } from '../sites/site.js';
import { loadInteractions } from './queries.js';
import { attributeVisitor, type Interaction, type OrderAttribution } from './rules.js';

/** The attribution of every placed order of a visitor, computed from what is stored now. */
export async function attributionOfVisitor(
  db: D1Database,
  site: Site,
  visitorId: string,
): Promise<{ orders: OrderRow[]; interactions: Interaction[]; byOrder: Map<string, OrderAttribution> }> {
  const [orders, interactions] = await Promise.all([
    loadVisitorOrders(db, site.id, visitorId),
    loadInteractions(db, site.id, visitorId),
  ]);
  const placed = orders.filter((o) => o.status === 'placed');
  const byOrder = new Map(attributeVisitor(placed, interactions, site.settings).map((a) => [a.orderId, a]));
  return { orders, interactions, byOrder };
}
