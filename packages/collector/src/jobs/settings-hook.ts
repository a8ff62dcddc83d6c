import type { Settings } from '@lasttouch/shared';
import type { Site } from '../sites/site.js';
import { processQueue } from './attribution-queue.js';
import { enqueueVisitorsWithOrders } from './queries.js';

/**
 * Markers a `PUT /v1/settings` works off before answering: about 4 D1 queries each, so the
 * request stays under the free plan's 50 queries per invocation. The cron trigger and
 * ingestion requests drain the rest.
 */
export const INLINE_MARKERS = 8;

/**
 * After windows or the credit policy changed, every visitor of the site with an order is
 * marked (one statement), since an order's credit depends on the windows however old it is.
 * Every PUT then works off a few pending markers of the site, changed or not: a retried PUT
 * whose settings were already saved still advances what an earlier attempt left queued. Only a
 * failed enqueue fails the request; a failed recomputation leaves its marker for a later run.
 */
export async function reattributeOnSettingsChange(
  db: D1Database,
  site: Site,
  before: Settings,
  after: Settings,
): Promise<void> {
  const now = Date.now();
  if (
    JSON.stringify(before.attributionWindows) !== JSON.stringify(after.attributionWindows) ||
    before.creditPolicy !== after.creditPolicy
  ) {
    await enqueueVisitorsWithOrders(db, site.id, now).run();
  }
  await processQueue(db, site, now, [], INLINE_MARKERS);
}
