import type {
  ChatStatsRow,
  ChatTotalsRow,
  DailyStatsRow,
  GroupStatsRow,
  WidgetKind,
  WidgetStatsRow,
} from '@lasttouch/shared';

/**
 * Rows of one thing (a widget, a campaign, a chat group) that the API splits by currency: the
 * counts that do not depend on currency stand on the first row only (0 on the others), so a
 * column's sum is right. The page keeps them together, in the API's order, and sorts them as one.
 */
export interface Group<Row> {
  key: string;
  rows: Row[];
}

export function groupRows<Row>(rows: readonly Row[], keyOf: (row: Row) => string): Group<Row>[] {
  const groups = new Map<string, Group<Row>>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.rows.push(row);
    else groups.set(key, { key, rows: [row] });
  }
  return [...groups.values()];
}

const sum = <Row>(rows: readonly Row[], value: (row: Row) => number): number =>
  rows.reduce((total, row) => total + value(row), 0);

const divide = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** One line of the widget table: an API row and the rates merchants read beside it. */
export interface WidgetLine {
  row: WidgetStatsRow;
  /** The group's first row: the one that carries the counts. */
  first: boolean;
  /** Clicks / instances (first row only). */
  clickRate: number | null;
  /** This row's orders / the widget's clicks. */
  ordersPerClick: number | null;
  /** This row's value / the widget's instances. */
  valuePerInstance: number | null;
}

export const widgetKey = (row: Pick<WidgetStatsRow, 'kind' | 'id'>): string => `${row.kind}\u0000${row.id}`;

export function widgetLines(rows: readonly WidgetStatsRow[]): Group<WidgetLine>[] {
  return groupRows(rows, widgetKey).map(({ key, rows: group }) => {
    const instances = sum(group, (r) => r.instances);
    const clicks = sum(group, (r) => r.clicks);
    return {
      key,
      rows: group.map((row, i) => ({
        row,
        first: i === 0,
        clickRate: i === 0 ? divide(clicks, instances) : null,
        ordersPerClick: divide(row.orders, clicks),
        valuePerInstance: row.currency === null ? null : divide(row.value, instances),
      })),
    };
  });
}

export interface WidgetFilter {
  kind: WidgetKind | '';
  /** A campaign id, '' for all, or NO_CAMPAIGN for widgets without one. */
  campaign: string;
}

export const NO_CAMPAIGN = '\u0000none';

export function filterWidgets(rows: readonly WidgetStatsRow[], filter: WidgetFilter): WidgetStatsRow[] {
  return rows.filter(
    (row) =>
      (filter.kind === '' || row.kind === filter.kind) &&
      (filter.campaign === '' ||
        (filter.campaign === NO_CAMPAIGN ? row.campaign === null : row.campaign === filter.campaign)),
  );
}

/** The campaigns named by widget rows, sorted, and whether some widget has none. */
export function campaignsOf(rows: readonly WidgetStatsRow[]): { campaigns: string[]; someWithout: boolean } {
  const campaigns = new Set<string>();
  let someWithout = false;
  for (const row of rows) {
    if (row.campaign === null) someWithout = true;
    else campaigns.add(row.campaign);
  }
  return { campaigns: [...campaigns].sort(), someWithout };
}

export type SortDirection = 'ascending' | 'descending';

/**
 * Sorts groups by a column: `sortValue` of the group's rows. Text sorts by locale, numbers
 * numerically; empty values (null) go last whatever the direction. Stable: ties keep the API's order.
 */
export function sortGroups<Row>(
  groups: readonly Group<Row>[],
  sortValue: (rows: readonly Row[]) => string | number | null,
  direction: SortDirection,
): Group<Row>[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const keyed = groups.map((group, index) => ({ group, index, value: sortValue(group.rows) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
    }
    const order =
      typeof a.value === 'number' && typeof b.value === 'number'
        ? a.value - b.value
        : String(a.value).localeCompare(String(b.value));
    return order === 0 ? a.index - b.index : sign * order;
  });
  return keyed.map((k) => k.group);
}

/** Money of one currency: what widgets and chats earned against what the site took. */
export interface CurrencyTotals {
  currency: string;
  widgets: number;
  chats: number;
  site: number | null;
  /** (widgets + chats) / site turnover. */
  share: number | null;
}

export interface Totals {
  instances: number;
  clicks: number;
  widgetOrders: number;
  chatOrders: number;
  /** Orders credited to a widget or a tagged link. */
  credited: number;
  /** Every order of the site in the range (the chat stats' totals), null when unknown. */
  siteOrders: number | null;
  orderShare: number | null;
  money: CurrencyTotals[];
  /** Events browsers dropped from a full queue in the range: missing from every count. */
  dropped: number;
}

/**
 * The range's headline numbers. Widget and tagged-link credits never overlap (an order goes to
 * one interaction), so their sum is what lasttouch's interactions earned. The site-wide daily
 * rows say how many events browsers dropped.
 */
export function totalsOf(
  widgets: readonly WidgetStatsRow[],
  chats: readonly ChatStatsRow[],
  site: readonly ChatTotalsRow[] | null,
  daily: readonly DailyStatsRow[],
): Totals {
  const widgetOrders = sum(widgets, (r) => r.orders);
  const chatOrders = sum(chats, (r) => r.transactionsAfterContact);
  const siteOrders = site === null ? null : sum(site, (r) => r.websiteTransactions);
  const money = new Map<string, CurrencyTotals>();
  const entry = (currency: string) => {
    let e = money.get(currency);
    if (!e) {
      e = { currency, widgets: 0, chats: 0, site: site === null ? null : 0, share: null };
      money.set(currency, e);
    }
    return e;
  };
  for (const row of widgets) if (row.currency !== null && row.value !== 0) entry(row.currency).widgets += row.value;
  for (const row of chats) {
    if (row.currency !== null && row.turnoverAfterContact !== 0) entry(row.currency).chats += row.turnoverAfterContact;
  }
  for (const row of site ?? []) {
    const e = entry(row.currency);
    e.site = (e.site ?? 0) + row.websiteTurnover;
  }
  for (const e of money.values()) e.share = e.site === null ? null : divide(e.widgets + e.chats, e.site);
  return {
    instances: sum(widgets, (r) => r.instances),
    clicks: sum(widgets, (r) => r.clicks),
    widgetOrders,
    chatOrders,
    credited: widgetOrders + chatOrders,
    siteOrders,
    orderShare: siteOrders === null ? null : divide(widgetOrders + chatOrders, siteOrders),
    money: [...money.values()].sort((a, b) => (b.site ?? b.widgets + b.chats) - (a.site ?? a.widgets + a.chats)),
    dropped: sum(daily, (r) => r.droppedEvents),
  };
}

/** The daily chart's data: one point per date of the range, days without a row at 0. */
export interface DailySeries {
  dates: string[];
  instances: number[];
  clicks: number[];
  orders: number[];
  /** Events browsers dropped (site-wide). */
  dropped: number[];
  /** Value in `currency`, the currency with the most value in the range (null when none). */
  value: number[];
  currency: string | null;
}

export function dailySeries(rows: readonly DailyStatsRow[], dates: readonly string[]): DailySeries {
  const index = new Map(dates.map((d, i) => [d, i]));
  const byCurrency = new Map<string, number>();
  for (const row of rows) {
    if (row.currency !== null) byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0) + row.value);
  }
  const currency = [...byCurrency.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const zeros = () => dates.map(() => 0);
  const series: DailySeries = {
    dates: [...dates],
    instances: zeros(),
    clicks: zeros(),
    orders: zeros(),
    dropped: zeros(),
    value: zeros(),
    currency,
  };
  for (const row of rows) {
    const i = index.get(row.date);
    if (i === undefined) continue;
    series.instances[i]! += row.instances;
    series.clicks[i]! += row.clicks;
    series.orders[i]! += row.orders;
    series.dropped[i]! += row.droppedEvents;
    if (row.currency === currency) series.value[i]! += row.value;
  }
  return series;
}

export const groupKey = (row: GroupStatsRow): string => row.id;
export const chatKey = (row: ChatStatsRow): string => row.group;
