import type { EventType, WidgetKind } from '@lasttouch/shared';

/**
 * An accepted event as it travels through the work queue to the consumer: validated, its time
 * corrected by the batch's clock offset, money in minor units, a customer id already replaced
 * by its keyed hash. Short keys: a queue message holds up to a whole batch.
 */
export interface IngestEvent {
  id: string;
  t: EventType;
  v: string;
  s: string;
  /** Corrected time, UTC ms: what attribution and stats use. */
  ts: number;
  /** The client's own clock, kept beside it. */
  cts: number;
  /** Holdout cohort while the tag runs a holdout: 1 held out, 0 exposed. */
  h?: 0 | 1;
  k?: WidgetKind;
  w?: string;
  c?: string;
  q?: string;
  /** Landing: the link token. */
  tk?: string;
  /** Checkout: order id, value in minor units, currency. */
  o?: string;
  val?: number;
  cur?: string;
  /** Identify: the keyed hash of the customer id. */
  cu?: string;
  /** Drop: events the browser dropped. */
  n?: number;
}
