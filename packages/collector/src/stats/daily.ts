import type { DailyStatsRow } from '@lasttouch/shared';
import type { D1Reader } from '../db/replica.js';
import type { StatsRange } from '../time/stats-range.js';
import { type CurrencySum, perCurrency } from './currency-rows.js';
import { entryOf } from './fold.js';
import { dayOfSlot, slotBounds } from './slot-range.js';

/** What `GET /v1/stats/daily` narrows to. */
export type DailyFilter = { widget: string } | { campaign: string } | null;

const filterSql = (filter: DailyFilter): string =>
  filter === null ? '' : 'widget' in filter ? 'and widget_id = ?4' : 'and campaign = ?4';
const filterValue = (filter: DailyFilter): string[] =>
  filter === null ? [] : ['widget' in filter ? filter.widget : filter.campaign];

/**
 * `GET /v1/stats/daily`: one row per local day of the range (per currency of its credited
 * orders), with the widget counters and the orders credited to widgets; `widget=` or
 * `campaign=` narrows both. `droppedEvents` is site-wide, so 0 when narrowed.
 *
 * Each statement reads the range's slot cells once, summed per slot; the slots are grouped into
 * the site's local days here. (Joining the cells to a list of days made SQLite read every cell
 * of the range once per day.)
 */
export async function dailyStats(
  db: D1Reader,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
  filter: DailyFilter,
): Promise<DailyStatsRow[]> {
  const { first, end } = slotBounds(range);
  const where = filterSql(filter);
  const counters = `select slot, sum(instances) as instances, sum(clicks) as clicks, sum(hovers) as hovers,
      sum(dismisses) as dismisses
    from widget_slots where site_id = ?1 and slot >= ?2 and slot < ?3 ${where} group by slot`;
  const credits = `select slot, currency, sum(orders) as orders, sum(value_minor) as valueMinor
    from credit_slots where site_id = ?1 and slot >= ?2 and slot < ?3 ${where}
      and action != 'link_landing' and verified >= ?${filter === null ? 4 : 5}
    group by slot, currency`;
  const dropped = `select slot, sum(count) as dropped from site_slots
    where site_id = ?1 and slot >= ?2 and slot < ?3 and metric = 'dropped' group by slot`;
  const base = [siteId, first, end];
  const [counterRows, creditRows, droppedRows] = await db.batch<Record<string, unknown>>([
    db.prepare(counters).bind(...base, ...filterValue(filter)),
    db.prepare(credits).bind(...base, ...filterValue(filter), verifiedOnly ? 1 : 0),
    db.prepare(dropped).bind(...base),
  ]);
  const dayOf = dayOfSlot(range);
  type Counters = { instances: number; clicks: number; hovers: number; dismisses: number };
  const byDay = new Map<string, Counters>();
  for (const r of counterRows!.results as unknown as (Counters & { slot: number })[]) {
    const day = dayOf(r.slot);
    if (day === undefined) continue;
    const c = entryOf(byDay, day, () => ({ instances: 0, clicks: 0, hovers: 0, dismisses: 0 }));
    c.instances += r.instances;
    c.clicks += r.clicks;
    c.hovers += r.hovers;
    c.dismisses += r.dismisses;
  }
  const droppedByDay = new Map<string, number>();
  for (const r of droppedRows!.results as { slot: number; dropped: number }[]) {
    const day = dayOf(r.slot);
    if (day !== undefined) droppedByDay.set(day, (droppedByDay.get(day) ?? 0) + r.dropped);
  }
  const creditsByDay = new Map<string, Map<string, CurrencySum>>();
  for (const r of creditRows!.results as unknown as (CurrencySum & { slot: number })[]) {
    const day = dayOf(r.slot);
    if (day === undefined) continue;
    const sum = entryOf(
      entryOf(creditsByDay, day, () => new Map()),
      r.currency,
      () => ({
        currency: r.currency,
        orders: 0,
        valueMinor: 0,
      }),
    );
    sum.orders += r.orders;
    sum.valueMinor += r.valueMinor;
  }
  return range.days.flatMap(({ date }) => {
    const c = byDay.get(date);
    const counts = {
      instances: c?.instances ?? 0,
      clicks: c?.clicks ?? 0,
      hovers: c?.hovers ?? 0,
      dismisses: c?.dismisses ?? 0,
      droppedEvents: filter === null ? (droppedByDay.get(date) ?? 0) : 0,
    };
    return perCurrency([...(creditsByDay.get(date)?.values() ?? [])], counts, (n, o) => ({
      date,
      instances: n.instances,
      clicks: n.clicks,
      hovers: n.hovers,
      dismisses: n.dismisses,
      ...o,
      droppedEvents: n.droppedEvents,
    }));
  });
}
