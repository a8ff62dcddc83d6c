import { applyStatement, type OrderRow } from '../orders/queries.js';
import type { Site } from '../sites/site.js';
import { type Contribution, contributionStatements } from '../stats/order-aggregates.js';
import { contributionOf } from './contribution.js';
import { attributionOfVisitor } from './credit.js';

/**
 * Recomputes the credit of every order of a visitor and applies the differences to the
 * aggregates. Idempotent: orders whose contribution did not change cost no write.
 */
export async function reattributeVisitor(db: D1Database, site: Site, visitorId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { orders, interactions, byOrder } = await attributionOfVisitor(db, site, visitorId);
    const changes = orders.map((o) => ({
      order: o,
      credited: byOrder.get(o.orderId)?.credited?.eventId ?? null,
      next: contributionOf(o, byOrder.get(o.orderId), interactions, site.settings),
    }));
    if (await applyChanges(db, site.id, changes)) return;
    if (attempt === 2) throw new Error(`attribution of visitor kept racing with another writer`);
  }
}

/** Applies the contribution of an order that has no visitor: it counts in totals only. */
export async function reattributeOrphan(db: D1Database, site: Site, order: OrderRow): Promise<void> {
  const next = contributionOf(order, undefined, [], site.settings);
  if (!(await applyChanges(db, site.id, [{ order, credited: null, next }]))) {
    throw new Error('order changed while it was being attributed');
  }
}

interface Change {
  order: OrderRow;
  credited: string | null;
  next: Contribution | null;
}

/**
 * One D1 batch: for each changed order, subtract what it added, add its new contribution and
 * bump its version. Every statement is guarded by the version read, so if another writer got
 * there first this batch changes nothing for that order; returns false then, to recompute.
 */
async function applyChanges(db: D1Database, siteId: string, changes: Change[]): Promise<boolean> {
  const statements: D1PreparedStatement[] = [];
  const updates: number[] = [];
  for (const { order, credited, next } of changes) {
    const applied = next === null ? null : JSON.stringify(next);
    if (applied === order.applied && credited === order.creditedEventId) continue;
    const guard = { orderId: order.orderId, version: order.version };
    const previous = order.applied === null ? null : (JSON.parse(order.applied) as Contribution);
    if (previous) statements.push(...contributionStatements(db, siteId, previous, -1, guard));
    if (next) statements.push(...contributionStatements(db, siteId, next, 1, guard));
    updates.push(statements.length);
    statements.push(applyStatement(db, siteId, order, applied, credited));
  }
  if (statements.length === 0) return true;
  const results = await db.batch(statements);
  return updates.every((i) => results[i]?.meta.changes === 1);
}
