import type { Action, TopActionRow } from '@lasttouch/shared';
import type { D1Reader } from '../db/replica.js';
import type { StatsRange } from '../time/stats-range.js';
import { slotBounds } from './slot-range.js';

const TOP = `select action, channel, sum(orders) as orders from touch_slots
  where site_id = ?1 and slot >= ?2 and slot < ?3 and verified >= ?4
  group by action, channel having sum(orders) > 0 order by orders desc, action, channel`;

/** `GET /v1/stats/top-actions`: interaction types by how many orders they preceded inside their window. */
export async function topActions(
  db: D1Reader,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<TopActionRow[]> {
  const { first, end } = slotBounds(range);
  const { results } = await db
    .prepare(TOP)
    .bind(siteId, first, end, verifiedOnly ? 1 : 0)
    .all<{ action: Action; channel: string; orders: number }>();
  return results.map((r) => ({ action: r.action, channel: r.channel === '' ? null : r.channel, orders: r.orders }));
}
