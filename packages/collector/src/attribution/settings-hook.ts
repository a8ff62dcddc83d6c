import type { Settings } from '@lasttouch/shared';
import type { Site } from '../sites/site.js';
import { processQueue } from './queue.js';

/** How many visitors a settings change re-attributes before answering; the rest are queued. */
const INLINE_VISITORS = 500;

/**
 * After windows or the credit policy changed: every visitor with an order is marked and
 * re-attributed, since an order's credit depends on the windows however old it is. Up to
 * `INLINE_VISITORS` are processed before answering; later requests work off the rest.
 */
export async function reattributeOnSettingsChange(
  db: D1Database,
  site: Site,
  before: Settings,
  after: Settings,
): Promise<void> {
  if (
    JSON.stringify(before.attributionWindows) === JSON.stringify(after.attributionWindows) &&
    before.creditPolicy === after.creditPolicy
  ) {
    return;
  }
  const now = Date.now();
  await db
    .prepare(
      `insert into attribution_queue (site_id, subject, subject_id, token, queued_at)
       select distinct site_id, 'visitor', visitor_id, lower(hex(randomblob(16))), ?
       from orders where site_id = ? and visitor_id is not null
       on conflict (site_id, subject, subject_id) do update set token = excluded.token`,
    )
    .bind(now, site.id)
    .run();
  if ((await processQueue(db, site, now, [], INLINE_VISITORS)) > 0) {
    throw new Error('some orders could not be re-attributed; their markers stay queued');
  }
}
