import type { Action, GroupStatsRow, TopActionRow, WidgetKind, WidgetStatsRow } from '@lasttouch/shared';
import { toMajorUnits } from '@lasttouch/shared';
import { dayBounds, type StatsRange } from './range.js';

/**
 * The merchant stats, read from the per-day aggregates only. A subject whose orders mix
 * currencies gets one row per currency (ascending); its other counters (instances, clicks,
 * hovers, dismisses; started, profiles) are on the first of those rows only and 0 on the
 * others, so summing any column over the rows gives the right total. A subject without orders
 * has one row with `currency: null`.
 */

interface OrderSum {
  currency: string;
  orders: number;
  valueMinor: number;
}

const none = (v: string): string | null => (v === '' ? null : v);

/**
 * Spreads a subject over its currencies: one row per currency, or one row without orders. The
 * counters go on the first row; further rows carry zeros so that column sums stay right.
 */
function perCurrency<C extends Record<string, number>, T>(
  sums: OrderSum[] | undefined,
  counters: C,
  row: (counters: C, o: { orders: number; value: number; currency: string | null }) => T,
): T[] {
  if (!sums?.length) return [row(counters, { orders: 0, value: 0, currency: null })];
  const zeros = Object.fromEntries(Object.keys(counters).map((k) => [k, 0])) as C;
  return sums.map((s, n) =>
    row(n === 0 ? counters : zeros, {
      orders: s.orders,
      value: toMajorUnits(s.valueMinor, s.currency),
      currency: s.currency,
    }),
  );
}

function groupSums<R extends OrderSum & { key: string }>(rows: R[]): Map<string, OrderSum[]> {
  const map = new Map<string, OrderSum[]>();
  for (const r of rows) {
    const list = map.get(r.key) ?? [];
    list.push({ currency: r.currency, orders: r.orders, valueMinor: r.valueMinor });
    map.set(r.key, list);
  }
  return map;
}

// Labels cannot hold control characters (shared validators), so this never occurs inside one.
const SEP = '\u0001';

export async function widgetStats(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<WidgetStatsRow[]> {
  const { firstDay, endDay } = dayBounds(range);
  const key = `kind || '${SEP}' || widget_id || '${SEP}' || campaign || '${SEP}' || sequence`;
  type Counters = { key: string; instances: number; clicks: number; hovers: number; dismisses: number };
  const [counters, credits] = await Promise.all([
    db
      .prepare(
        `select ${key} as key, sum(instances) as instances, sum(clicks) as clicks, sum(hovers) as hovers,
           sum(dismisses) as dismisses
         from widget_daily where site_id = ?1 and day >= ?2 and day < ?3
         group by kind, widget_id, campaign, sequence`,
      )
      .bind(siteId, firstDay, endDay)
      .all<Counters>(),
    db
      .prepare(
        `select ${key} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
         from order_credit_daily
         where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4 and action != 'link_landing'
         group by kind, widget_id, campaign, sequence, currency having sum(orders) > 0 order by currency`,
      )
      .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
      .all<OrderSum & { key: string }>(),
  ]);
  const byKey = new Map(counters.results.map((r) => [r.key, r]));
  const sums = groupSums(credits.results);
  const keys = [...new Set([...byKey.keys(), ...sums.keys()])].sort();
  return keys.flatMap((k) => {
    const [kind, id, campaign, sequence] = k.split(SEP) as [WidgetKind, string, string, string];
    const c = byKey.get(k);
    const counts = c
      ? { instances: c.instances, clicks: c.clicks, hovers: c.hovers, dismisses: c.dismisses }
      : { instances: 0, clicks: 0, hovers: 0, dismisses: 0 };
    if (Object.values(counts).every((n) => n === 0) && !sums.has(k)) return [];
    return perCurrency(sums.get(k), counts, (n, o) => ({
      kind,
      id,
      campaign: none(campaign),
      sequence: none(sequence),
      ...n,
      ...o,
    }));
  });
}

export async function groupStats(
  db: D1Database,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<GroupStatsRow[]> {
  const { firstDay, endDay } = dayBounds(range);
  type Counters = { key: string; started: number; profiles: number };
  const [counters, credits] = await Promise.all([
    // Sessions count on the day they started; visitors once over all the range's days.
    db
      .prepare(
        `select key, sum(started) as started, sum(profiles) as profiles from (
           select group_id as key, sum(started) as started, 0 as profiles from group_daily
           where site_id = ?1 and day >= ?2 and day < ?3 and group_type = ?4 group by group_id
           union all
           select group_id, 0, count(distinct visitor_id) from group_visitor_daily
           where site_id = ?1 and group_type = ?4 and day >= ?2 and day < ?3 group by group_id
         ) group by key`,
      )
      .bind(siteId, firstDay, endDay, groupType)
      .all<Counters>(),
    db
      .prepare(
        `select ${groupType} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
         from order_credit_daily
         where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4 and ${groupType} != ''
         group by ${groupType}, currency having sum(orders) > 0 order by currency`,
      )
      .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
      .all<OrderSum & { key: string }>(),
  ]);
  const byKey = new Map(counters.results.map((r) => [r.key, r]));
  const sums = groupSums(credits.results);
  const keys = [...new Set([...byKey.keys(), ...sums.keys()])].sort();
  return keys.flatMap((id) => {
    const c = byKey.get(id) ?? { started: 0, profiles: 0 };
    if (c.started === 0 && c.profiles === 0 && !sums.has(id)) return [];
    return perCurrency(sums.get(id), { started: c.started, profiles: c.profiles }, (n, o) => ({ id, ...n, ...o }));
  });
}

/** Interaction types by the number of orders they preceded inside their window, most first. */
export async function topActions(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<TopActionRow[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select action, channel, sum(orders) as orders from order_touch_daily
       where site_id = ?1 and day >= ?2 and day < ?3 and verified >= ?4
       group by action, channel having sum(orders) > 0 order by orders desc, action, channel`,
    )
    .bind(siteId, firstDay, endDay, verifiedOnly ? 1 : 0)
    .all<{ action: Action; channel: string; orders: number }>();
  return results.map((r) => ({ action: r.action, channel: none(r.channel), orders: r.orders }));
}
