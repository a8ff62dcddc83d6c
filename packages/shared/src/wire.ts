import type { WidgetKind, WidgetWireType } from './constants.js';

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
  /** Client time, UTC milliseconds (the collector corrects it by the batch's clock offset). */
  ts: number;
  /** Page path (pathname only: no query, no hash). */
  p: string;
  /**
   * Holdout cohort while the tag runs a holdout (`data-holdout` above 0): 1 held out, 0 exposed.
   * Absent when no holdout runs.
   */
  h?: 0 | 1;
}

/**
 * A widget was shown, clicked, hovered or dismissed; or, while a holdout runs, is `eligible`: in
 * the document and would have been shown (sent by both cohorts, once per widget per page view; a
 * held-out visitor sends only this).
 */
export interface WidgetEvent extends BaseEvent {
  t: WidgetWireType;
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

/**
 * `identify`: the store's customer id for this visitor. Sent once per visitor and change; the
 * collector keeps only a keyed hash of it.
 */
export interface IdentifyEvent extends BaseEvent {
  t: 'identify';
  /** The store's customer id, in clear on the wire only. */
  cu: string;
}

/** How many events this browser dropped from its full queue since its previous `drop` event. */
export interface DropEvent extends BaseEvent {
  t: 'drop';
  /** A positive count. */
  n: number;
}

export type WireEvent = WidgetEvent | LandingEvent | CheckoutEvent | IdentifyEvent | DropEvent;

/** Body of `POST /v1/events`, sent as JSON or `text/plain`. */
export interface EventBatch {
  /** The site's write key (a beacon cannot carry an Authorization header). */
  k: string;
  /**
   * Client time the batch was sent, UTC milliseconds: the collector measures the client clock's
   * offset from it and corrects the events' times.
   */
  st?: number;
  e: WireEvent[];
}
