import * as z from 'zod';
import { LIMITS, WIDGET_KINDS, WIDGET_WIRE_TYPES } from '../constants.js';
import type { CheckoutEvent, DropEvent, IdentifyEvent, LandingEvent, WidgetEvent, WireEvent } from '../wire.js';
import { currencyCode, label, opaqueId, orderValue, text, type Validation, validateWith } from './common.js';

const base = {
  id: opaqueId(),
  v: opaqueId(),
  s: opaqueId(),
  ts: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  p: text().max(LIMITS.pathLength),
  h: z.union([z.literal(0), z.literal(1)]).optional(),
};

const widgetEvent: z.ZodType<WidgetEvent> = z.strictObject({
  ...base,
  t: z.enum(WIDGET_WIRE_TYPES),
  k: z.enum(WIDGET_KINDS),
  w: label(),
  c: label().optional(),
  q: label().optional(),
});

const landingEvent: z.ZodType<LandingEvent> = z.strictObject({
  ...base,
  t: z.literal('landing'),
  tk: z
    .string()
    .min(1)
    .max(LIMITS.tokenLength)
    .regex(/^[A-Za-z0-9_.-]+$/, 'is not a link token'),
});

const checkoutEvent: z.ZodType<CheckoutEvent> = z.strictObject({
  ...base,
  t: z.literal('checkout'),
  o: label(),
  val: orderValue,
  cur: currencyCode,
});

const identifyEvent: z.ZodType<IdentifyEvent> = z.strictObject({
  ...base,
  t: z.literal('identify'),
  cu: label(),
});

const dropEvent: z.ZodType<DropEvent> = z.strictObject({
  ...base,
  t: z.literal('drop'),
  n: z.number().int().min(1).max(1_000_000),
});

const schemas: Record<string, z.ZodType<WireEvent>> = {
  instance: widgetEvent,
  click: widgetEvent,
  hover: widgetEvent,
  dismiss: widgetEvent,
  eligible: widgetEvent,
  landing: landingEvent,
  checkout: checkoutEvent,
  identify: identifyEvent,
  drop: dropEvent,
};

/**
 * Validates one event of a batch on its own, so one bad event never costs the others.
 *
 * @example validateEvent({ t: 'click', ... }) // { ok: true, value } or { ok: false, code, message }
 */
export function validateEvent(input: unknown): Validation<WireEvent> {
  const type = typeof input === 'object' && input !== null ? (input as { t?: unknown }).t : undefined;
  const schema = typeof type === 'string' && Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (!schema) return { ok: false, code: 'unknown_type', message: `t: unknown event type ${JSON.stringify(type)}` };
  return validateWith(schema, input, 'invalid_event');
}

/** The batch envelope; events inside are validated one by one with `validateEvent`. */
export const batchEnvelope = z.object({
  k: z.string().min(1).max(LIMITS.idLength).optional(),
  st: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  e: z.array(z.unknown()).min(1).max(LIMITS.eventsPerBatch),
});

/**
 * Any one event, for the API document (`@lasttouch/shared/schemas`): the collector itself
 * validates each event with `validateEvent`, which picks the schema by `t`.
 */
export const wireEventSchema = z.union([widgetEvent, landingEvent, checkoutEvent, identifyEvent, dropEvent]);
