import type { DailyStatsRow } from '@lasttouch/shared';
import type { StatsRange } from '../time/stats-range.js';
import { type CurrencySum, perCurrency, sumsByKey } from './currency-rows.js';
import { daysParam, slotBounds } from './slot-range.js';

/** What `GET /v1/stats/daily` narrows to. */
export type DailyFilter = { widget: string } | { campaign: string } | null;

const filterSql = (filter: DailyFilter): string =>
  filter === null ? '' : 'widget' in filter ? 'and widget_id = ?5' : 'and campaign = ?5';
const filterValue = (filter: DailyFilter): string[] =>
  filter === null ? [] : ['widget' in filter ? filter.widget : filter.campaign];

/**
 * `GET /v1/stats/daily`: one row per local day of the range (per currency of its credited
 * orders), with the widget counters and the orders credited to widgets; `widget=` or
 * `campaign=` narrows both. `droppedEvents` is site-wide, so 0 when narrowed.
 */
export async function dailyStats(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
  filter: DailyFilter,
): Promise<DailyStatsRow[]> {
  const { first, end } = slotBounds(range);
  const days = daysParam(range);
  const where = filterSql(filter);
  const counters = `select d.value->>0 as day, sum(instances) as instances, sum(clicks) as clicks, sum(hovers) as hovers,
      sum(dismisses) as dismisses
    from json_each(?2) d join widget_slots w
      on w.site_id = ?1 and w.slot >= d.value->>1 and w.slot < d.value->>2 and w.slot >= ?3 and w.slot < ?4 ${where}
    group by d.value->>0`;
  const credits = `select d.value->>0 as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
    from json_each(?2) d join credit_slots w
      on w.site_id = ?1 and w.slot >= d.value->>1 and w.slot < d.value->>2 and w.slot >= ?3 and w.slot < ?4 ${where}
    where action != 'link_landing' and verified >= ?${filter === null ? 5 : 6}
    group by d.value->>0, currency`;
  const dropped = `select d.value->>0 as day, sum(count) as dropped
    from json_each(?2) d join site_slots w
      on w.site_id = ?1 and w.slot >= d.value->>1 and w.slot < d.value->>2 and w.slot >= ?3 and w.slot < ?4
    where metric = 'dropped' group by d.value->>0`;
  const base = [siteId, days, first, end];
  const [counterRows, creditRows, droppedRows] = await db.batch<Record<string, unknown>>([
    db.prepare(counters).bind(...base, ...filterValue(filter)),
    db.prepare(credits).bind(...base, ...filterValue(filter), verifiedOnly ? 1 : 0),
    db.prepare(dropped).bind(...base),
  ]);
  type Counters = { day: string; instances: number; clicks: number; hovers: number; dismisses: number };
  const byDay = new Map((counterRows!.results as unknown as Counters[]).map((r) => [r.day, r]));
  const droppedByDay = new Map(
    (droppedRows!.results as { day: string; dropped: number }[]).map((r) => [r.day, r.dropped]),
  );
  const sums = sumsByKey(creditRows!.results as unknown as (CurrencySum & { key: string })[]);
  return range.days.flatMap(({ date }) => {
    const c = byDay.get(date);
    const counts = {
      instances: c?.instances ?? 0,
      clicks: c?.clicks ?? 0,
      hovers: c?.hovers ?? 0,
      dismisses: c?.dismisses ?? 0,
      droppedEvents: filter === null ? (droppedByDay.get(date) ?? 0) : 0,
    };
    return perCurrency(sums.get(date), counts, (n, o) => ({
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
