import * as z from 'zod';
import type { Settings, SettingsUpdate } from '../api.js';
import { CREDIT_POLICIES, MAX_WINDOW_SECONDS, WIDGET_KINDS } from '../constants.js';
import { channelName, label } from './common.js';

const seconds = z.number().int().min(1).max(MAX_WINDOW_SECONDS);

/**
 * An allowed origin, parsed: `https://shop.example` (that origin exactly) or
 * `https://*.shop.example` (any subdomain of shop.example, at any depth, with that scheme and
 * port; not shop.example itself, and never a host that merely ends in the same letters, such as
 * evilshop.example).
 */
export interface OriginPattern {
  protocol: 'https:' | 'http:';
  /** The exact host, or for a wildcard the suffix after `*.`. */
  host: string;
  /** `''` for the scheme's default port. */
  port: string;
  wildcard: boolean;
}

const WILDCARD = /^(https?:\/\/)\*\./;

/**
 * Parses an allowed origin; `undefined` for anything else: a path, a trailing slash, another
 * scheme, a `*` anywhere but as the whole first label, or a wildcard over a single label (`*.com`
 * would admit every site of a top-level domain).
 */
export function parseOriginPattern(value: string): OriginPattern | undefined {
  const wildcard = WILDCARD.test(value);
  // A stand-in label lets the URL parser check (and normalize) the rest of a wildcard pattern.
  const concrete = wildcard ? value.replace(WILDCARD, '$1x.') : value;
  let url: URL;
  try {
    url = new URL(concrete);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.origin !== concrete || url.hostname.includes('*')) return undefined;
  const host = wildcard ? url.hostname.slice(2) : url.hostname;
  if (wildcard && (!host.includes('.') || host.startsWith('['))) return undefined;
  return { protocol: url.protocol, host, port: url.port, wildcard };
}

/**
 * Whether `origin` (as a browser sends it in `Origin`, or a url's origin) is one of `allowed`.
 *
 * @example originMatches(['https://*.shop.example'], 'https://de.shop.example') // true
 * @example originMatches(['https://*.shop.example'], 'https://evilshop.example') // false
 */
export function originMatches(allowed: readonly string[], origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin || url.hostname.includes('*')) return false;
  return allowed.some((entry) => {
    const pattern = parseOriginPattern(entry);
    if (!pattern || pattern.protocol !== url.protocol || pattern.port !== url.port) return false;
    return pattern.wildcard ? url.hostname.endsWith(`.${pattern.host}`) : url.hostname === pattern.host;
  });
}

/** An allowed origin: scheme, host and port only, or a wildcard subdomain pattern (`OriginPattern`). */
export const origin = z
  .string()
  .max(256)
  .refine(
    (value) => parseOriginPattern(value) !== undefined,
    'must be an origin such as https://shop.example (scheme and host, no path or trailing slash), or https://*.shop.example for its subdomains',
  );

export const allowedOrigins = z.array(origin).max(50);

// zod drops a JSON key `__proto__` from records without a word (prototype-pollution guard):
// refuse it plainly rather than lose the merchant's setting silently.
const noProtoKey = <T extends z.ZodType>(record: T) =>
  z
    .unknown()
    .refine(
      (value) => !(typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')),
      'may not use the reserved name __proto__',
    )
    .pipe(record);

const windows = z.strictObject({
  default: seconds,
  kinds: noProtoKey(z.partialRecord(z.enum(WIDGET_KINDS), seconds)),
  channels: noProtoKey(z.record(channelName, seconds)),
  campaigns: noProtoKey(z.record(label(), seconds)),
});

/**
 * Whether Intl knows `name` as an IANA time zone. Offsets such as `+02:00` are refused: they
 * have no daylight saving time, so a merchant's days would drift twice a year.
 */
export const isTimeZone = (name: string): boolean => {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

export const timeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris or America/Los_Angeles');

/** The settings' object itself, for schemas that extend it (the settings answer, `@lasttouch/shared/schemas`). */
export const settingsObject = z.strictObject({
  allowedOrigins,
  attributionWindows: windows,
  creditPolicy: z.enum(CREDIT_POLICIES),
  timezone: timeZone,
});

export const settingsSchema: z.ZodType<Settings> = settingsObject;

export const settingsUpdateSchema: z.ZodType<SettingsUpdate> = z
  .strictObject({
    allowedOrigins: allowedOrigins.optional(),
    attributionWindows: windows.optional(),
    creditPolicy: z.enum(CREDIT_POLICIES).optional(),
    timezone: timeZone.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'give at least one field to change');
