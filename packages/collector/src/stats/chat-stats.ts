import {
  type ChatGroupBy,
  type ChatStatsResponse,
  type ChatStatsRow,
  type ChatTotalsRow,
  toMajorUnits,
} from '@lasttouch/shared';
import { type ContactCount, contactCounts, invalidLandingCount } from './link-aggregates.js';
import { type ChatCreditRow, chatCredits, type OrderSum, siteTotals } from './order-aggregates.js';
import type { StatsRange } from './query.js';

/** Money as the API shows it: the minor-unit amount rounded to whole minor units, in major units. */
const money = (minor: number, currency: string): number => toMajorUnits(Math.round(minor), currency);
const ratio = (n: number, d: number, decimals: number): number | null =>
  d === 0 ? null : Math.round((n / d) * 10 ** decimals) / 10 ** decimals;

/**
 * Combines contacts (from issued links) with the orders credited to tagged-link landings into
 * the chat rows: one row per group and currency of its credited orders, or one row with
 * `currency: null` for a group without any. Contacts have no currency, so each currency row of a
 * group repeats them and rates it against them. Ratios over zero contacts (orders credited to a
 * conversation whose links were all issued before the range) are `null`, not a made-up number.
 * Rows come most contacts first, then by group and currency.
 */
export function chatRows(contacts: ContactCount[], credits: ChatCreditRow[]): ChatStatsRow[] {
  const byGroup = new Map<string, { contacts: number; credits: ChatCreditRow[] }>();
  const entry = (group: string) => {
    const found = byGroup.get(group) ?? { contacts: 0, credits: [] };
    byGroup.set(group, found);
    return found;
  };
  for (const c of contacts) entry(c.group).contacts = c.contacts;
  for (const credit of credits) entry(credit.group).credits.push(credit);

  const rows: ChatStatsRow[] = [];
  for (const [group, { contacts: n, credits: groupCredits }] of byGroup) {
    if (groupCredits.length === 0) {
      rows.push({
        group,
        contacts: n,
        transactionsAfterContact: 0,
        turnoverAfterContact: 0,
        conversionRate: n === 0 ? null : 0,
        averageOrderValueAfterContact: null,
        averageSecondsBeforePurchase: null,
        turnoverPerContact: n === 0 ? null : 0,
        currency: null,
      });
      continue;
    }
    for (const credit of groupCredits) {
      rows.push({
        group,
        contacts: n,
        transactionsAfterContact: credit.orders,
        turnoverAfterContact: money(credit.valueMinor, credit.currency),
        conversionRate: ratio(credit.orders, n, 3),
        averageOrderValueAfterContact: money(credit.valueMinor / credit.orders, credit.currency),
        averageSecondsBeforePurchase: Math.round(credit.msToOrder / credit.orders / 1000),
        turnoverPerContact: n === 0 ? null : money(credit.valueMinor / n, credit.currency),
        currency: credit.currency,
      });
    }
  }
  return rows.sort(
    (a, b) => b.contacts - a.contacts || compare(a.group, b.group) || compare(a.currency ?? '', b.currency ?? ''),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Site totals per currency: every placed order in the range, attributed or not. */
export const chatTotals = (totals: OrderSum[]): ChatTotalsRow[] =>
  totals.map((t) => ({
    websiteTransactions: t.orders,
    websiteTurnover: money(t.valueMinor, t.currency),
    websiteAverageOrderValue: money(t.valueMinor / t.orders, t.currency),
    currency: t.currency,
  }));

/**
 * `GET /v1/stats/chat`: per channel, agent or conversation, the contacts (links issued) beside
 * the orders credited to tagged-link landings; the site's totals; the invalid landings.
 */
export async function chatStats(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  groupBy: ChatGroupBy,
  verifiedOnly: boolean,
): Promise<Pick<ChatStatsResponse, 'rows' | 'totals' | 'invalidLandings'>> {
  const [contacts, credits, totals, invalidLandings] = await Promise.all([
    contactCounts(db, siteId, range, groupBy),
    chatCredits(db, siteId, range, groupBy, verifiedOnly),
    siteTotals(db, siteId, range, verifiedOnly),
    invalidLandingCount(db, siteId, range),
  ]);
  return { rows: chatRows(contacts, credits), totals: chatTotals(totals), invalidLandings };
}
