import { CHAT_GROUPS, type ChatGroupBy, type ChatStatsRow, type ChatTotalsRow } from '@lasttouch/shared';
import type { D1Reader } from '../db/replica.js';
import { perColumn } from '../db/sql.js';
import type { StatsRange } from '../time/stats-range.js';
import { money, perCurrency, ratio } from './currency-rows.js';
import { entryOf } from './fold.js';
import { slotBounds } from './slot-range.js';

interface Credit {
  group: string;
  currency: string;
  orders: number;
  valueMinor: number;
  msToOrder: number;
}

// One statement per allowed `groupBy`, each the name of a column of both tables.
const CONTACTS = perColumn(
  CHAT_GROUPS,
  (column) => `select ${column} as "group", count(distinct conversation) as contacts from links
    where site_id = ?1 and issued_at >= ?2 and issued_at < ?3 group by ${column}`,
);
const CREDITS = perColumn(
  CHAT_GROUPS,
  (column) => `select ${column} as "group", currency, sum(orders) as orders, sum(value_minor) as valueMinor,
      sum(ms_to_order) as msToOrder
    from credit_slots where site_id = ?1 and slot >= ?2 and slot < ?3 and verified >= ?4 and action = 'link_landing'
    group by ${column}, currency having sum(orders) != 0`,
);

const TOTALS = `select currency, sum(orders) as orders, sum(value_minor) as valueMinor from order_slots
  where site_id = ?1 and slot >= ?2 and slot < ?3 and verified >= ?4 group by currency having sum(orders) > 0
  order by currency`;

const LANDINGS = `select metric, sum(count) as n from site_slots
  where site_id = ?1 and slot >= ?2 and slot < ?3 and metric like 'landing_%' group by metric`;

const HOURS = `select agent as "group", sum(hours) as hours from agent_hours
  where site_id = ?1 and date in (select value from json_each(?2)) group by agent`;

/**
 * `GET /v1/stats/chat`: per channel, agent or conversation, the contacts (distinct conversations
 * with a tagged link issued in the range) and the orders credited to its tagged-link landings:
 * iAdvize's indicators, `averageSecondsBeforePurchase` running from the conversation's first
 * tagged link, `turnoverPerHour` from the agents' production hours. Site totals count every
 * placed order. Rows: most contacts first, then group, then currency.
 */
export async function chatStats(
  db: D1Reader,
  siteId: string,
  range: StatsRange,
  groupBy: ChatGroupBy,
  verifiedOnly: boolean,
): Promise<{ rows: ChatStatsRow[]; totals: ChatTotalsRow[]; invalidLandings: number; expiredLandings: number }> {
  const { first, end } = slotBounds(range);
  const verified = verifiedOnly ? 1 : 0;
  const statements = [
    db.prepare(CONTACTS[groupBy]).bind(siteId, range.from, range.to),
    db.prepare(CREDITS[groupBy]).bind(siteId, first, end, verified),
    db.prepare(TOTALS).bind(siteId, first, end, verified),
    db.prepare(LANDINGS).bind(siteId, first, end),
    ...(groupBy === 'agent' ? [db.prepare(HOURS).bind(siteId, JSON.stringify(range.days.map((d) => d.date)))] : []),
  ];
  const [contactRows, creditRows, totalRows, landingRows, hourRows] =
    await db.batch<Record<string, unknown>>(statements);
  const landings = new Map((landingRows!.results as { metric: string; n: number }[]).map((r) => [r.metric, r.n]));
  const hours = new Map(
    (hourRows?.results as { group: string; hours: number }[] | undefined)?.map((r) => [r.group, r.hours]),
  );
  return {
    rows: chatRows(
      contactRows!.results as { group: string; contacts: number }[],
      creditRows!.results as unknown as Credit[],
      groupBy === 'agent' ? hours : undefined,
    ),
    totals: (totalRows!.results as { currency: string; orders: number; valueMinor: number }[]).map((t) => ({
      websiteTransactions: t.orders,
      websiteTurnover: money(t.valueMinor, t.currency),
      websiteAverageOrderValue: money(t.valueMinor / t.orders, t.currency),
      currency: t.currency,
    })),
    invalidLandings: (landings.get('landing_forged') ?? 0) + (landings.get('landing_unknown_link') ?? 0),
    expiredLandings: landings.get('landing_expired') ?? 0,
  };
}

/**
 * The chat rows of each group: one per currency of its credited orders (or one without), the
 * currency-independent counts on the first (`perCurrency`).
 */
export function chatRows(
  contacts: readonly { group: string; contacts: number }[],
  credits: readonly Credit[],
  hours: ReadonlyMap<string, number> | undefined,
): ChatStatsRow[] {
  const groups = new Map<string, { contacts: number; credits: Credit[] }>();
  const entry = (group: string) => {
    return entryOf(groups, group, () => ({ contacts: 0, credits: [] as Credit[] }));
  };
  for (const c of contacts) entry(c.group).contacts = c.contacts;
  for (const c of credits) entry(c.group).credits.push(c);
  const rows: ChatStatsRow[] = [];
  for (const [group, { contacts: n, credits: list }] of [...groups].sort(
    ([a, x], [b, y]) => y.contacts - x.contacts || (a < b ? -1 : a > b ? 1 : 0),
  )) {
    const orders = list.reduce((sum, c) => sum + c.orders, 0);
    const ms = list.reduce((sum, c) => sum + c.msToOrder, 0);
    const counts = {
      contacts: n,
      conversionRate: ratio(orders, n, 3),
      averageSecondsBeforePurchase: orders === 0 ? null : Math.round(ms / orders / 1000),
    };
    const agentHours = hours?.get(group);
    rows.push(
      ...perCurrency(
        list.map((c) => ({ currency: c.currency, orders: c.orders, valueMinor: c.valueMinor })),
        counts,
        (k, o, sum) => ({
          group,
          contacts: k.contacts,
          transactionsAfterContact: o.orders,
          turnoverAfterContact: o.value,
          conversionRate: k.conversionRate,
          averageOrderValueAfterContact:
            sum && sum.orders !== 0 ? money(sum.valueMinor / sum.orders, sum.currency) : null,
          averageSecondsBeforePurchase: k.averageSecondsBeforePurchase,
          turnoverPerContact: n === 0 ? null : sum ? money(sum.valueMinor / n, sum.currency) : 0,
          ...(hours
            ? { turnoverPerHour: agentHours && sum ? money(sum.valueMinor / agentHours, sum.currency) : null }
            : {}),
          currency: o.currency,
        }),
        ['conversionRate', 'averageSecondsBeforePurchase'],
      ),
    );
  }
  return rows;
}
