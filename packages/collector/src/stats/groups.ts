import type { GroupStatsRow } from '@lasttouch/shared';
import type { D1Reader } from '../db/replica.js';
import type { StatsRange } from '../time/stats-range.js';
import { type CurrencySum, perCurrency, sumsByKey } from './currency-rows.js';
import { entryOf } from './fold.js';
import { Sketch } from './sketch.js';
import { slotBounds } from './slot-range.js';

const SHOWINGS = `select group_id as key, started, visitors from group_slots
  where site_id = ?1 and group_type = ?2 and slot >= ?3 and slot < ?4`;

/**
 * `GET /v1/stats/campaigns` and `/sequences`: per campaign or sequence, `started` (sessions, in
 * the slot of their first showing), `profiles` (distinct visitors shown one: the union of the
 * slots' sketches, exact up to 10,000 then estimated) and the orders credited to its widgets.
 * Reads one row per group and slot, however many visitors there were.
 */
export async function groupStats(
  db: D1Reader,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<GroupStatsRow[]> {
  const { first, end } = slotBounds(range);
  const credits = `select ${groupType} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
    from credit_slots where site_id = ?1 and slot >= ?2 and slot < ?3 and verified >= ?4 and ${groupType} != ''
      and action != 'link_landing'
    group by ${groupType}, currency`;
  const [showings, orders] = await db.batch<Record<string, unknown>>([
    db.prepare(SHOWINGS).bind(siteId, groupType, first, end),
    db.prepare(credits).bind(siteId, first, end, verifiedOnly ? 1 : 0),
  ]);
  const groups = new Map<string, { started: number; visitors: Sketch }>();
  for (const row of showings!.results as { key: string; started: number; visitors: number[] | null }[]) {
    const g = entryOf(groups, row.key, () => ({ started: 0, visitors: new Sketch() }));
    g.started += row.started;
    if (row.visitors) g.visitors.mergeBytes(row.visitors);
  }
  const sums = sumsByKey(orders!.results as unknown as (CurrencySum & { key: string })[]);
  const keys = [...new Set([...groups.keys(), ...sums.keys()])].sort();
  return keys.flatMap((id) => {
    const g = groups.get(id);
    const counts = { started: g?.started ?? 0, profiles: g ? g.visitors.estimate() : 0 };
    if (counts.started === 0 && counts.profiles === 0 && !sums.has(id)) return [];
    return perCurrency(sums.get(id), counts, (n, o) => ({ id, ...n, ...o }));
  });
}
