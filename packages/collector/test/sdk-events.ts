/**
 * Valid events as the SDK sends them, each with fresh ids and the current time; a test overrides
 * only the fields it is about.
 */
import type { CheckoutEvent, LandingEvent, WidgetEvent } from '@lasttouch/shared';
import { uid } from './helpers.js';

const base = () => ({ id: uid('ev'), v: uid('visitor'), s: uid('session'), ts: Date.now(), p: '/' });

/** A valid widget event (default: a popup click); override any field. */
export const widgetEvent = (fields: Partial<WidgetEvent> = {}): WidgetEvent => ({
  ...base(),
  t: 'click',
  k: 'popup',
  w: 'spring-sale',
  ...fields,
});

/** A valid checkout (default 12.50 EUR, random order id); override any field. */
export const checkoutEvent = (fields: Partial<CheckoutEvent> = {}): CheckoutEvent => ({
  ...base(),
  t: 'checkout',
  o: uid('order'),
  val: 12.5,
  cur: 'EUR',
  ...fields,
});

/** A landing with a token (default: a syntactically valid but unsigned one); override any field. */
export const landingEvent = (fields: Partial<LandingEvent> = {}): LandingEvent => ({
  ...base(),
  t: 'landing',
  tk: 'unsigned.token',
  ...fields,
});
