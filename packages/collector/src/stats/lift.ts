import type { LiftCohort, LiftGroupBy, LiftRow } from '@lasttouch/shared';
import type { D1Reader } from '../db/replica.js';
import type { StatsRange } from '../time/stats-range.js';
import { type CurrencySum, money, ratio } from './currency-rows.js';
import { entryOf } from './fold.js';
import { conversionLift } from './lift-math.js';
import { Sketch } from './sketch.js';
import { slotBounds } from './slot-range.js';

const PREFIX: Record<LiftGroupBy, string> = { site: 'site', campaign: 'c:', widget: 'w:' };

/** The group as answered: the campaign id, the widget id (`kind:id` keys keep kinds apart), or `site`. */
const groupLabel = (key: string): string =>
  key === 'site' ? 'site' : key.startsWith('c:') ? key.slice(2) : key.slice(key.indexOf(':', 2) + 1);

interface Side {
  visitors: Sketch;
  converters: number;
  sums: Map<string, CurrencySum>;
}

/**
 * `GET /v1/stats/lift`: per group (the site, each campaign, each widget) and cohort, the visitors
 * eligible in the range (sketch union; never fewer than the converters), the converters (in the
 * slot of their first order after eligibility), orders and value; `lift` is the relative
 * difference of conversion rates with its 95 % interval (docs/lift.md). Reads one row per group,
 * cohort and slot (and currency, for orders), whatever the traffic. Groups without held-out
 * visitors are left out: there is nothing to compare with.
 */
export async function liftStats(
  db: D1Reader,
  siteId: string,
  range: StatsRange,
  groupBy: LiftGroupBy,
): Promise<LiftRow[]> {
  const { first, end } = slotBounds(range);
  const match = groupBy === 'site' ? `group_key = 'site'` : `group_key like '${PREFIX[groupBy]}%'`;
  // Orders refunded or re-attributed leave their cells at zero: a currency without orders gets no row.
  const [visitorRows, orderRows] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `select group_key as groupKey, cohort, converters, visitors from lift_slots
         where site_id = ?1 and slot >= ?2 and slot < ?3 and ${match}`,
      )
      .bind(siteId, first, end),
    db
      .prepare(
        `select group_key as groupKey, cohort, currency, sum(orders) as orders, sum(value_minor) as valueMinor
         from lift_orders where site_id = ?1 and slot >= ?2 and slot < ?3 and ${match}
         group by group_key, cohort, currency having sum(orders) != 0 or sum(value_minor) != 0`,
      )
      .bind(siteId, first, end),
  ]);
  const groups = new Map<string, [Side, Side]>();
  const blank = (): Side => ({ visitors: new Sketch(), converters: 0, sums: new Map() });
  const side = (key: string, cohort: number): Side =>
    entryOf(groups, key, (): [Side, Side] => [blank(), blank()])[cohort === 1 ? 1 : 0];
  for (const r of visitorRows!.results as {
    groupKey: string;
    cohort: number;
    converters: number;
    visitors: number[] | null;
  }[]) {
    const s = side(r.groupKey, r.cohort);
    s.converters += r.converters;
    if (r.visitors) s.visitors.mergeBytes(r.visitors);
  }
  for (const r of orderRows!.results as unknown as (CurrencySum & { groupKey: string; cohort: number })[]) {
    side(r.groupKey, r.cohort).sums.set(r.currency, {
      currency: r.currency,
      orders: r.orders,
      valueMinor: r.valueMinor,
    });
  }
  const rows: LiftRow[] = [];
  for (const key of [...groups.keys()].sort()) {
    const [exposed, holdout] = groups.get(key)!;
    // A converter whose eligibility lies before the range is not in its sketches; and above 10,000
    // visitors the count is an estimate. Either way a cohort never has fewer visitors than converters.
    const counts = (s: Side) => {
      const visitors = Math.max(s.visitors.estimate(), s.converters);
      return { visitors, converters: s.converters };
    };
    const e = counts(exposed);
    const h = counts(holdout);
    if (h.visitors === 0) continue;
    const interval = conversionLift(e, h);
    const currencies = [...new Set([...exposed.sums.keys(), ...holdout.sums.keys()])].sort();
    const cohort = (
      s: Side,
      c: { visitors: number; converters: number },
      currency: string | null,
      first: boolean,
    ): LiftCohort => {
      const sum = currency === null ? undefined : s.sums.get(currency);
      const value = sum ? money(sum.valueMinor, sum.currency) : 0;
      return {
        visitors: first ? c.visitors : 0,
        converters: first ? c.converters : 0,
        orders: sum?.orders ?? 0,
        value,
        conversionRate: first ? ratio(c.converters, c.visitors, 4) : null,
        revenuePerVisitor: sum ? money(sum.valueMinor / Math.max(c.visitors, 1), sum.currency) : first ? 0 : null,
      };
    };
    const list = currencies.length > 0 ? currencies : [null];
    list.forEach((currency, n) => {
      const first = n === 0;
      rows.push({
        group: groupLabel(key),
        currency,
        exposed: cohort(exposed, e, currency, first),
        holdout: cohort(holdout, h, currency, first),
        lift: first ? interval.lift : null,
        low: first ? interval.low : null,
        high: first ? interval.high : null,
        significant: first ? interval.significant : false,
      });
    });
  }
  return rows;
}
