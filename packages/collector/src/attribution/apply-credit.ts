import type { Action, WidgetKind } from '@lasttouch/shared';
import { type MergedOrder, mergeOrder, type OrderSource } from '../orders/merge.js';
import type { Site } from '../sites/site.js';
import { type Contribution, contributionOf } from './contribution.js';
import { attributeVisitor, type Interaction, type OrderAttribution } from './rules.js';

/** An `orders` row as attribution reads it. */
export interface OrderRow extends MergedOrder {
  orderId: string;
  creditedEventId: string | null;
  applied: string | null;
  version: number;
}

const ORDER_COLUMNS = `order_id as orderId, visitor_id as visitorId, ts, value_minor as valueMinor, currency, status,
  verified, credited_event_id as creditedEventId, applied, version`;

const toOrder = (r: OrderRow): OrderRow => ({ ...r, verified: Boolean(r.verified) });

export async function loadVisitorOrders(db: D1Database, siteId: string, visitorId: string): Promise<OrderRow[]> {
  const { results } = await db
    .prepare(`select ${ORDER_COLUMNS} from orders where site_id = ? and visitor_id = ?`)
    .bind(siteId, visitorId)
    .all<OrderRow>();
  return results.map(toOrder);
}

export async function loadOrder(db: D1Database, siteId: string, orderId: string): Promise<OrderRow | undefined> {
  const row = await db
    .prepare(`select ${ORDER_COLUMNS} from orders where site_id = ? and order_id = ?`)
    .bind(siteId, orderId)
    .first<OrderRow>();
  return row ? toOrder(row) : undefined;
}

interface InteractionRow extends Omit<Interaction, 'forwarded' | 'kind'> {
  kind: WidgetKind | null;
  forwarded: number;
}

export async function loadInteractions(db: D1Database, siteId: string, visitorId: string): Promise<Interaction[]> {
  const { results } = await db
    .prepare(
      `select event_id as eventId, ts, action, kind, widget_id as widgetId, campaign, sequence, channel, conversation,
        agent, forwarded from interactions where site_id = ? and visitor_id = ?`,
    )
    .bind(siteId, visitorId)
    .all<InteractionRow>();
  return results.map((r) => ({ ...r, action: r.action as Action, forwarded: Boolean(r.forwarded) }));
}

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
async function reattributeOrphan(db: D1Database, site: Site, order: OrderRow): Promise<void> {
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
    statements.push(
      db
        .prepare(
          `update orders set applied = ?, credited_event_id = ?, version = version + 1
           where site_id = ? and order_id = ? and version = ?`,
        )
        .bind(applied, credited, siteId, order.orderId, order.version),
    );
  }
  if (statements.length === 0) return true;
  const results = await db.batch(statements);
  return updates.every((i) => results[i]?.meta.changes === 1);
}

const GUARD = 'where exists (select 1 from orders where site_id = ? and order_id = ? and version = ?)';

function contributionStatements(
  db: D1Database,
  siteId: string,
  c: Contribution,
  sign: 1 | -1,
  guard: { orderId: string; version: number },
): D1PreparedStatement[] {
  const g = [siteId, guard.orderId, guard.version];
  const verified = c.verified ? 1 : 0;
  const statements = [
    db
      .prepare(
        `insert into order_daily (site_id, day, currency, verified, orders, value_minor) select ?, ?, ?, ?, ?, ? ${GUARD}
         on conflict (site_id, day, currency, verified) do update
         set orders = orders + excluded.orders, value_minor = value_minor + excluded.value_minor`,
      )
      .bind(siteId, c.day, c.currency, verified, sign, sign * c.valueMinor, ...g),
    ...c.touches.map((touch) => {
      const [action, channel] = touch.split('|');
      return db
        .prepare(
          `insert into order_touch_daily (site_id, day, action, channel, verified, orders) select ?, ?, ?, ?, ?, ? ${GUARD}
           on conflict (site_id, day, action, channel, verified) do update set orders = orders + excluded.orders`,
        )
        .bind(siteId, c.day, action, channel, verified, sign, ...g);
    }),
  ];
  if (c.credit) {
    const k = c.credit;
    statements.push(
      db
        .prepare(
          `insert into order_credit_daily (site_id, day, action, kind, widget_id, campaign, sequence, channel, conversation,
             agent, currency, verified, orders, value_minor, ms_to_order)
           select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? ${GUARD}
           on conflict (site_id, day, action, kind, widget_id, campaign, sequence, channel, conversation, agent, currency,
             verified)
           do update set orders = orders + excluded.orders, value_minor = value_minor + excluded.value_minor,
             ms_to_order = ms_to_order + excluded.ms_to_order`,
        )
        .bind(
          siteId,
          c.day,
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
          sign,
          sign * c.valueMinor,
          sign * c.msToOrder,
          ...g,
        ),
    );
  }
  return statements;
}

export async function loadSources(db: D1Database, siteId: string, orderId: string): Promise<OrderSource[]> {
  const { results } = await db
    .prepare(
      `select source, source_key as sourceKey, visitor_id as visitorId, ts, value_minor as valueMinor, currency, status,
         received_at as receivedAt, rowid as seq
       from order_sources where site_id = ? and order_id = ?`,
    )
    .bind(siteId, orderId)
    .all<OrderSource>();
  return results;
}

/**
 * Re-merges an order from its sources and writes the merged fields. Returns the visitors whose
 * attribution it touches (the previous and the new one), or the row itself when it has none.
 */
async function refreshOrder(
  db: D1Database,
  siteId: string,
  orderId: string,
  now: number,
): Promise<{ visitors: string[]; orphan?: OrderRow }> {
  const [before, sources] = await Promise.all([loadOrder(db, siteId, orderId), loadSources(db, siteId, orderId)]);
  const merged = mergeOrder(sources);
  if (!before || !merged) return { visitors: [] };
  const same =
    before.visitorId === merged.visitorId &&
    before.ts === merged.ts &&
    before.valueMinor === merged.valueMinor &&
    before.currency === merged.currency &&
    before.status === merged.status &&
    before.verified === merged.verified;
  if (!same) {
    // The merge is a function of the sources alone, so concurrent refreshes write the same thing.
    await db
      .prepare(
        `update orders set visitor_id = ?, ts = ?, value_minor = ?, currency = ?, status = ?, verified = ?, updated_at = ?
         where site_id = ? and order_id = ?`,
      )
      .bind(
        merged.visitorId,
        merged.ts,
        merged.valueMinor,
        merged.currency,
        merged.status,
        merged.verified ? 1 : 0,
        now,
        siteId,
        orderId,
      )
      .run();
  }
  const visitors = [before.visitorId, merged.visitorId].filter((v): v is string => v !== null);
  if (merged.visitorId !== null) return { visitors: [...new Set(visitors)] };
  const orphan = { ...before, ...merged };
  return { visitors, orphan };
}

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
