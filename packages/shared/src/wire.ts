import type { WidgetEventType, WidgetKind } from './constants.js';

/**
 * Fields every event carries. Keys are short because every byte of the SDK and of each
 * beacon counts.
 */
export interface BaseEvent {
  /** Client-generated unique event id: retries resend it, the collector stores it once. */
  id: string;
  /** Visitor id (persistent per browser). */
  v: string;
  /** Session id (rotates after 30 minutes without activity). */
  s: string;
  /** Client time, UTC milliseconds. */
  ts: number;
  /** Page path (pathname only: no query, no hash). */
  p: string;
}

/** A widget was shown, clicked, hovered or dismissed. */
export interface WidgetEvent extends BaseEvent {
  t: WidgetEventType;
  /** Widget kind. */
  k: WidgetKind;
  /** Widget id (`data-lt-id`). */
  w: string;
  /** Campaign (`data-lt-campaign`). */
  c?: string;
  /** Sequence (`data-lt-sequence`). */
  q?: string;
}

/** A visitor landed through a tagged link carrying `lt_c`. */
export interface LandingEvent extends BaseEvent {
  t: 'landing';
  /** The `lt_c` token as found in the URL. */
  tk: string;
}

/** The visitor placed an order (SDK side; the server may confirm it). */
export interface CheckoutEvent extends BaseEvent {
  t: 'checkout';
  /** Order id. */
  o: string;
  /** Value in major units, as the storefront gives it (12.5 = 12.50). */
  val: number;
  /** ISO 4217 currency code. */
  cur: string;
}

export type WireEvent = WidgetEvent | LandingEvent | CheckoutEvent;

/** Body of `POST /v1/events`, sent as JSON or `text/plain`. */
export interface EventBatch {
  /** The site's write key (a beacon cannot carry an Authorization header). */
  k: string;
  /** Client time the batch was sent, UTC milliseconds. */
  st?: number;
  e: WireEvent[];
}
