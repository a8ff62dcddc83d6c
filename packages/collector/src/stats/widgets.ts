import type { WidgetKind, WidgetStatsRow } from '@lasttouch/shared';
import type { D1Reader } from '../db/replica.js';
import type { StatsRange } from '../time/stats-range.js';
import { type CurrencySum, perCurrency, SEP, sumsByKey } from './currency-rows.js';
import { slotBounds } from './slot-range.js';

const KEY = `kind || '${SEP}' || widget_id || '${SEP}' || campaign || '${SEP}' || sequence`;

const COUNTERS = `select ${KEY} as key, sum(instances) as instances, sum(clicks) as clicks, sum(hovers) as hovers,
    sum(dismisses) as dismisses
  from widget_slots where site_id = ?1 and slot >= ?2 and slot < ?3 group by kind, widget_id, campaign, sequence`;

const CREDITS = `select ${KEY} as key, currency, sum(orders) as orders, sum(value_minor) as valueMinor
  from credit_slots where site_id = ?1 and slot >= ?2 and slot < ?3 and verified >= ?4 and action != 'link_landing'
  group by kind, widget_id, campaign, sequence, currency`;

const none = (v: string): string | null => (v === '' ? null : v);

/**
 * `GET /v1/stats/widgets`: per widget (kind, id, campaign, sequence), its counters and the
 * orders credited to it, one row per currency (see `perCurrency`). Rows in key order.
 */
export async function widgetStats(
  db: D1Reader,
  siteId: string,
  range: StatsRange,
  verifiedOnly: boolean,
): Promise<WidgetStatsRow[]> {
  const { first, end } = slotBounds(range);
  type Counters = { key: string; instances: number; clicks: number; hovers: number; dismisses: number };
  const [counters, credits] = await db.batch<Record<string, unknown>>([
    db.prepare(COUNTERS).bind(siteId, first, end),
    db.prepare(CREDITS).bind(siteId, first, end, verifiedOnly ? 1 : 0),
  ]);
  const byKey = new Map((counters!.results as unknown as Counters[]).map((r) => [r.key, r]));
  const sums = sumsByKey(credits!.results as unknown as (CurrencySum & { key: string })[]);
  const keys = [...new Set([...byKey.keys(), ...sums.keys()])].sort();
  return keys.flatMap((k) => {
    const [kind, id, campaign, sequence] = k.split(SEP) as [WidgetKind, string, string, string];
    const c = byKey.get(k);
    const counts = {
      instances: c?.instances ?? 0,
      clicks: c?.clicks ?? 0,
      hovers: c?.hovers ?? 0,
      dismisses: c?.dismisses ?? 0,
    };
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
