import * as z from 'zod';
import { LABEL_PATTERN, LIMITS } from '../constants.js';
import { CURRENCY_PATTERN } from '../currency.js';

/** Opaque ids: URL-safe characters only, so they can never carry markup or SQL. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

export const opaqueId = (max: number = LIMITS.idLength) =>
  z.string().min(1).max(max).regex(ID_PATTERN, 'may only hold letters, digits and . _ : -');

// JSON can carry half of a surrogate pair; stored as UTF-8 it reads back as U+FFFD, so the
// value could never be found again by itself.
const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

/** Any text that survives a round trip through UTF-8 (no lone surrogate). */
export const text = () => z.string().regex(WELL_FORMED, 'may not hold a lone surrogate (broken unicode)');

/** Free text labels (widget, campaign, conversation ids): printable, bounded. */
export const label = (max: number = LIMITS.idLength) =>
  text().min(1).max(max).regex(LABEL_PATTERN, 'may not hold control characters');

/** An ISO 4217 currency code. */
export const currencyCode = z.string().regex(CURRENCY_PATTERN, 'must be an ISO 4217 code such as EUR');

/** An order value in major units. */
export const orderValue = z.number().nonnegative().max(LIMITS.maxValue);

/** A channel name: short, lowercase. */
export const channelName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9_-]+$/, 'must be a short lowercase name such as whatsapp or sms');

/** Turns a zod error into one readable sentence: `e[2].ts: expected number`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export type Validation<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export function validateWith<T>(schema: z.ZodType<T>, input: unknown, code = 'invalid'): Validation<T> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, code, message: describeIssues(result.error) };
}
