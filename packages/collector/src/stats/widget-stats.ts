import type { GroupStatsRow, TopActionRow, WidgetKind, WidgetStatsRow } from '@lasttouch/shared';
import { toMajorUnits } from '@lasttouch/shared';
import { groupCredits, type OrderSum, touchCounts, widgetCredits } from './order-aggregates.js';
import type { StatsRange } from './query.js';
import { groupCounters, KEY_SEP, widgetCounters } from './widget-aggregates.js';

/*
 * The merchant stats, read from the per-day aggregates only. A subject whose orders mix
 * currencies gets one row per currency (ascending); its other counters (instances, clicks,
 * hovers, dismisses; started, profiles) are on the first of those rows only and 0 on the
 * others, so summing any column over the rows gives the right total. A subject without orders
 * has one row with `currency: null`.
 */

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

/** `GET /v1/stats/widgets`: one row per widget (and currency of its credited orders). */
export async function widgetStats(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<WidgetStatsRow[]> {
  const [counters, credits] = await Promise.all([
    widgetCounters(db, siteId, range),
    widgetCredits(db, siteId, range, verifiedOnly),
  ]);
  const byKey = new Map(counters.map((r) => [r.key, r]));
  const sums = groupSums(credits);
  const keys = [...new Set([...byKey.keys(), ...sums.keys()])].sort();
  return keys.flatMap((k) => {
    const [kind, id, campaign, sequence] = k.split(KEY_SEP) as [WidgetKind, string, string, string];
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

/** `GET /v1/stats/campaigns` and `/sequences`: one row per group (and currency). */
export async function groupStats(
  db: D1Database,
  siteId: string,
  groupType: 'campaign' | 'sequence',
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<GroupStatsRow[]> {
  const [counters, credits] = await Promise.all([
    groupCounters(db, siteId, groupType, range),
    groupCredits(db, siteId, groupType, range, verifiedOnly),
  ]);
  const byKey = new Map(counters.map((r) => [r.key, r]));
  const sums = groupSums(credits);
  const keys = [...new Set([...byKey.keys(), ...sums.keys()])].sort();
  return keys.flatMap((id) => {
    const c = byKey.get(id) ?? { started: 0, profiles: 0 };
    if (c.started === 0 && c.profiles === 0 && !sums.has(id)) return [];
    return perCurrency(sums.get(id), { started: c.started, profiles: c.profiles }, (n, o) => ({ id, ...n, ...o }));
  });
}

/** `GET /v1/stats/top-actions`: interaction types by the orders they preceded inside their window, most first. */
export async function topActions(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<TopActionRow[]> {
  const rows = await touchCounts(db, siteId, range, verifiedOnly);
  return rows.map((r) => ({ action: r.action, channel: none(r.channel), orders: r.orders }));
}
