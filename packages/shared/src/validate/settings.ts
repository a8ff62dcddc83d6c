import * as z from 'zod';
import type { Settings, SettingsUpdate } from '../api.js';
import { CREDIT_POLICIES, MAX_WINDOW_SECONDS, WIDGET_KINDS } from '../constants.js';
import { channelName, label } from './common.js';

const seconds = z.number().int().min(1).max(MAX_WINDOW_SECONDS);

/** An origin as a browser sends it: scheme, host and port only. */
export const origin = z
  .string()
  .max(256)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'must be an origin such as https://shop.example (scheme and host, no path or trailing slash)');

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
