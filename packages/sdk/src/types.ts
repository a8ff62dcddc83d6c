import type { WidgetKind } from '@lasttouch/shared';

export type { WidgetKind };

/** Options of `createTracker`; the script tag reads the same from its `data-` attributes. */
export interface TrackerOptions {
  /** The site's public write key (`data-site`). */
  site: string;
  /** Collector base URL (`data-api`), e.g. `https://collector.example`. */
  api: string;
  /** Continuous pointer presence, in ms, that counts as a hover (`data-hover-ms`, default 500). */
  hoverMs?: number;
  /** `'required'`: track and store nothing until `consent(true)` (`data-consent`). */
  consent?: 'required' | string;
  /** `false`: track browsers sending Global Privacy Control or Do-Not-Track (`data-respect-gpc`, default true). */
  respectGpc?: boolean;
  /** Log to the console (`data-debug`; the minified tag has no debug output, use `lasttouch.debug.js`). */
  debug?: boolean;
  /** Inactivity after which a new session starts (`data-session-timeout-ms`, default 30 minutes). */
  sessionTimeoutMs?: number;
  /**
   * Percentage of visitors (whole, 0–50) held out of every widget for lift measurement
   * (`data-holdout`, default 0): their widgets are hidden and reported as eligible only.
   */
  holdout?: number;
}

/** A widget the markup cannot express (canvas, shadow DOM, webviews). */
export interface WidgetInput {
  kind: WidgetKind;
  id: string;
  campaign?: string;
  sequence?: string;
}

/** An order placed by this visitor; `value` in major units (12.5 = 12.50), `currency` ISO 4217. */
export interface CheckoutInput {
  orderId: string;
  value: number;
  currency: string;
}

/** The operations of contract section 3, as methods. */
export interface Tracker {
  instance(widget: WidgetInput): void;
  click(widget: WidgetInput): void;
  hover(widget: WidgetInput): void;
  dismiss(widget: WidgetInput): void;
  checkout(order: CheckoutInput): void;
  /**
   * Grant (`true`, `'granted'`) or withdraw (`false`, `'denied'`) consent; withdrawing clears
   * stored ids and the queue in every open tab of the store. Any other value is ignored.
   */
  consent(value: boolean | 'granted' | 'denied'): void;
  /** Calls back with the persistent visitor id, or `null` while the visitor is not tracked. */
  visitorId(callback: (id: string | null) => void): void;
  /**
   * Calls back with this visitor's holdout cohort, or `null` while the visitor is not tracked:
   * storefront code that renders widgets itself shows none to a `'holdout'` visitor.
   */
  cohort(callback: (cohort: 'exposed' | 'holdout' | null) => void): void;
  /**
   * Ties this browser's visitor id to the store's customer id (after login, at checkout); sent
   * once per visitor and customer id. The collector keeps only a keyed hash of it.
   */
  identify(customerId: string): void;
  /** Sends queued events now. */
  flush(): void;
}
