/**
 * ISO 4217 minor-unit exponents that differ from 2. Money is stored as integer minor units,
 * so 12.5 JPY is invalid while 12.5 EUR is 1250.
 */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/**
 * Converts a major-unit amount to integer minor units, or `null` when the amount has more
 * decimals than the currency allows or is not a safe integer once converted.
 *
 * @example toMinorUnits(19.99, 'EUR') // 1999
 */
export function toMinorUnits(value: number, currency: string): number | null {
  if (!Number.isFinite(value)) return null;
  const scaled = value * 10 ** currencyExponent(currency);
  const minor = Math.round(scaled);
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) return null;
  return Number.isSafeInteger(minor) ? minor : null;
}

/** @example toMajorUnits(1999, 'EUR') // 19.99 */
export function toMajorUnits(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}
