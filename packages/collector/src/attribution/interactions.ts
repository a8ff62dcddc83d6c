import type { Action } from '@lasttouch/shared';
import type { AfterCommit, Deriver, StoredEvent } from '../ingest/types.js';
import { enqueue, enqueueIfOrderAfter, processQueue, type Subject } from '../jobs/attribution-queue.js';
import { widgetEventStatements } from '../stats/widget-aggregates.js';

/** The action a widget event qualifies as (contract section 2), if any. */
export function qualifyingAction(event: Pick<StoredEvent, 'type' | 'kind'>): Action | null {
  if (event.type === 'click') {
    if (event.kind === 'popup') return 'popup_click';
    if (event.kind === 'notification') return 'notification_click';
    if (event.kind === 'block') return 'block_click';
  }
  if (event.type === 'hover' && event.kind === 'notification') return 'notification_hover';
  return null;
}

/**
 * Widget events: their aggregates, and for qualifying ones the candidate row attribution reads
 * (plus a marker when the visitor already has a later order: a late interaction).
 */
export const widgetDeriver: Deriver = async (ctx, event) => {
  const statements = widgetEventStatements(ctx.db, event);
  const action = qualifyingAction(event);
  if (action) {
    statements.push(
      ctx.db
        .prepare(
          `insert into interactions (site_id, event_id, visitor_id, session_id, ts, action, kind, widget_id, campaign, sequence)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
        )
        .bind(
          event.siteId,
          event.eventId,
          event.visitorId,
          event.sessionId,
          event.ts,
          action,
          event.kind ?? null,
          event.widgetId ?? null,
          event.campaign ?? null,
          event.sequence ?? null,
        ),
      enqueueIfOrderAfter(ctx.db, event.siteId, event.visitorId, event.ts, ctx.now),
    );
  }
  return statements;
};

/** Landings: the links module records the interaction; a late one must re-attribute. */
export const landingAttributionDeriver: Deriver = async (ctx, event) => [
  enqueueIfOrderAfter(ctx.db, event.siteId, event.visitorId, event.ts, ctx.now),
];

/**
 * SDK checkouts: the report is kept as an order source (keyed by event id), the order row is
 * created if new, and the order is marked for merging and attribution in stage 2.
 */
export const checkoutDeriver: Deriver = async (ctx, event) => {
  // Registered for checkouts only, whose order id, value and currency normalizeEvent always sets.
  const orderId = event.orderId!;
  const valueMinor = event.valueMinor!;
  const currency = event.currency!;
  return [
    ctx.db
      .prepare(
        `insert into order_sources (site_id, order_id, source, source_key, visitor_id, ts, value_minor, currency, status, received_at)
         values (?, ?, 'sdk', ?, ?, ?, ?, ?, 'placed', ?) on conflict do nothing`,
      )
      .bind(event.siteId, orderId, event.eventId, event.visitorId, event.ts, valueMinor, currency, ctx.now),
    ctx.db
      .prepare(
        `insert into orders (site_id, order_id, visitor_id, ts, value_minor, currency, status, verified, updated_at)
         values (?, ?, ?, ?, ?, ?, 'placed', 0, ?) on conflict do nothing`,
      )
      .bind(event.siteId, orderId, event.visitorId, event.ts, valueMinor, currency, ctx.now),
    enqueue(ctx.db, event.siteId, 'order', orderId, ctx.now),
  ];
};

/** Stage 2: attribution for what this batch marked, and a few leftovers of earlier runs. */
export const attributeAfterCommit: AfterCommit = async (ctx, batch) => {
  const wanted = new Map<string, { subject: Subject; id: string }>();
  for (const e of batch) {
    if (e.type === 'checkout' && e.orderId) wanted.set(`order:${e.orderId}`, { subject: 'order', id: e.orderId });
    else if (e.type !== 'instance' && e.type !== 'dismiss') {
      wanted.set(`visitor:${e.visitorId}`, { subject: 'visitor', id: e.visitorId });
    }
  }
  await processQueue(ctx.db, ctx.site, ctx.now, [...wanted.values()]);
};
