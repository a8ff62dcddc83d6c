import { qualifyingAction } from '../attribution/interactions.js';
import type { AfterCommit, Deriver } from '../ingest/types.js';
import { processQueue } from './attribution-queue.js';
import { enqueue, enqueueIfOrderAfter, type Subject } from './queries.js';

/**
 * A qualifying widget event or a landing: when the visitor already has a later order, the
 * interaction came late and the visitor is marked for re-attribution.
 */
export const queueLateInteraction: Deriver = async (ctx, event) =>
  event.type === 'landing' || qualifyingAction(event)
    ? [enqueueIfOrderAfter(ctx.db, event.siteId, event.visitorId, event.ts, ctx.now)]
    : [];

/** SDK checkouts: the order is marked for merging and attribution in stage 2. */
export const queueOrder: Deriver = async (ctx, event) => [
  // Registered for checkouts only, whose order id normalizeEvent always sets.
  enqueue(ctx.db, event.siteId, 'order', event.orderId!, ctx.now),
];

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
