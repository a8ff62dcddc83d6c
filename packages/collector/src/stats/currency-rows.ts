import { toMajorUnits } from '@lasttouch/shared';

/** Orders and value of a group in one currency. */
export interface CurrencySum {
  currency: string;
  orders: number;
  valueMinor: number;
}

/**
 * Spreads a group over its currencies: one row per currency that holds orders or value
 * (ascending), or one row without orders. Counts that do not depend on currency go on the first row only (zeros, or `null` for
 * rates, on the others), so summing any column never counts them twice.
 */
export function perCurrency<C extends Record<string, number | null>, T>(
  sums: CurrencySum[] | undefined,
  counts: C,
  row: (counts: C, money: { orders: number; value: number; currency: string | null }, sum: CurrencySum | null) => T,
  rates: readonly (keyof C)[] = [],
): T[] {
  // Credit moved away (a refund, a re-attribution) leaves sums of nothing: they make no row.
  const held = sums?.filter((s) => s.orders !== 0 || s.valueMinor !== 0);
  if (!held?.length) return [row(counts, { orders: 0, value: 0, currency: null }, null)];
  // A rate is not summed: on later rows it is absent (null) rather than a misleading 0.
  const blank = Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, v === null || rates.includes(k) ? null : 0]),
  ) as C;
  return held
    .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))
    .map((s, n) =>
      row(
        n === 0 ? counts : blank,
        { orders: s.orders, value: toMajorUnits(s.valueMinor, s.currency), currency: s.currency },
        s,
      ),
    );
}

/** Groups currency sums by a key. */
export function sumsByKey(rows: readonly (CurrencySum & { key: string })[]): Map<string, CurrencySum[]> {
  const map = new Map<string, CurrencySum[]>();
  for (const r of rows) {
    if (r.orders === 0 && r.valueMinor === 0) continue;
    map.set(r.key, [...(map.get(r.key) ?? []), { currency: r.currency, orders: r.orders, valueMinor: r.valueMinor }]);
  }
  return map;
}

/** Money as the API shows it: rounded to whole minor units, in major units. */
export const money = (minor: number, currency: string): number => toMajorUnits(Math.round(minor), currency);

/** A ratio rounded to `decimals`, `null` over zero. */
export const ratio = (n: number, d: number, decimals: number): number | null =>
  d === 0 ? null : Math.round((n / d) * 10 ** decimals) / 10 ** decimals;

/** Labels cannot hold control characters (shared validators): a safe separator for composite keys. */
export const SEP = '\u0001';
