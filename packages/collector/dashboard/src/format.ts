/**
 * Numbers as a merchant reads them, in the browser's locale. Money arrives in major units with
 * its ISO 4217 code; Intl knows each currency's decimals and symbol.
 */

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(undefined, options);
    cache.set(key, format);
  }
  return format;
}

export const EMPTY = '–';

export const count = (value: number): string => numberFormat('count', { maximumFractionDigits: 0 }).format(value);

/** A ratio (0.25) as a percentage ("25%"), one decimal below 10 %. */
export function percent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY;
  const digits = Math.abs(value) < 0.1 ? 1 : 0;
  return numberFormat(`pct${digits}`, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A signed percentage for lift ("+51.5%", "−42%"). */
export function signedPercent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY;
  return numberFormat('signed', { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(
    value,
  );
}

/** A plain ratio with two decimals (orders per click). */
export function ratio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY;
  return numberFormat('ratio', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** Money in major units. A row without a currency (no orders) shows a dash. */
export function money(value: number | null, currency: string | null): string {
  if (value === null || !Number.isFinite(value) || currency === null) return EMPTY;
  try {
    return numberFormat(`money:${currency}`, { style: 'currency', currency }).format(value);
  } catch {
    return `${numberFormat('plain', { maximumFractionDigits: 2 }).format(value)} ${currency}`;
  }
}

/** Money per unit (value per instance), with two more decimals than the currency has. */
export function moneyRate(value: number | null, currency: string | null): string {
  if (value === null || !Number.isFinite(value) || currency === null) return EMPTY;
  try {
    const base = numberFormat(`money:${currency}`, { style: 'currency', currency }).resolvedOptions();
    const digits = Math.min(20, (base.maximumFractionDigits ?? 2) + 2);
    return numberFormat(`rate:${currency}`, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(4)} ${currency}`;
  }
}

/** A duration in seconds as "3 d 4 h", "2 h 5 min", "40 s". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return EMPTY;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** An instant in the site's time zone, with the zone named when it is not the browser's. */
export function dateTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'medium' }).format(date);
  } catch {
    return date.toISOString();
  }
}

/** An axis label: 25K, €2.2K. */
export function compact(value: number, currency: string | null = null): string {
  if (currency === null)
    return numberFormat('compact', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  try {
    return numberFormat(`compact:${currency}`, {
      style: 'currency',
      currency,
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(value);
  } catch {
    return `${compact(value)} ${currency}`;
  }
}

let dayFormat: Intl.DateTimeFormat | undefined;
let shortDayFormat: Intl.DateTimeFormat | undefined;

/** A `YYYY-MM-DD` date without its year ("Nov 22"), for the chart. */
export function shortDay(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) return date;
  shortDayFormat ??= new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  return shortDayFormat.format(ms);
}

/** A `YYYY-MM-DD` date as the locale writes it ("Nov 22, 2026"). */
export function day(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) return date;
  dayFormat ??= new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', dateStyle: 'medium' });
  return dayFormat.format(ms);
}
