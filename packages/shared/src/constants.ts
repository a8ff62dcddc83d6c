/** Widget kinds a storefront can mark up with `data-lt-widget`. */
export const WIDGET_KINDS = ['popup', 'notification', 'block'] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];

/** What a storefront can record of a widget (markup or JS API). */
export const WIDGET_EVENT_TYPES = ['instance', 'click', 'hover', 'dismiss'] as const;
export type WidgetEventType = (typeof WIDGET_EVENT_TYPES)[number];

/**
 * Widget events on the wire: the four above, and `eligible` (the widget is in the document and
 * would be shown), sent by both cohorts only while the tag runs a holdout.
 */
export const WIDGET_WIRE_TYPES = [...WIDGET_EVENT_TYPES, 'eligible'] as const;
export type WidgetWireType = (typeof WIDGET_WIRE_TYPES)[number];

/** Event types on the wire between SDK and collector. */
export const EVENT_TYPES = [...WIDGET_WIRE_TYPES, 'landing', 'checkout', 'identify', 'drop'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The shape of a visitor id the SDK creates (and the collector's cookie accepts). A stored id of
 * another shape is replaced by the SDK, never sent.
 */
export const VISITOR_ID_PATTERN = /^[0-9a-z]{16,32}$/;

/**
 * Labels (widget, campaign, order and customer ids, conversations): printable characters only
 * (no C0 control character, no DEL); the length is bounded separately (`LIMITS.idLength`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
export const LABEL_PATTERN = /^[^\u0000-\u001f\u007f]+$/;

/** Name of the visitor cookie (script-written, and server-set on a first-party mount). */
export const VISITOR_COOKIE = 'lt_v';

/** `data-holdout`: the largest share of visitors (percent) a site may hold out of every widget. */
export const MAX_HOLDOUT_PERCENT = 50;

/** Channels agents commonly send tagged links through; any short lowercase name is accepted. */
export const KNOWN_CHANNELS = ['whatsapp', 'messenger', 'instagram', 'sms', 'email', 'chat'] as const;

/** Interactions that can earn credit for an order (contract section 2). */
export const ACTIONS = [
  'popup_click',
  'notification_click',
  'notification_hover',
  'block_click',
  'link_landing',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Key kinds; the prefix makes a leaked key recognizable. */
export const KEY_PREFIXES = { write: 'ltw_', agent: 'lta_', read: 'ltr_' } as const;
export type KeyKind = keyof typeof KEY_PREFIXES;
export const KEY_KINDS = Object.keys(KEY_PREFIXES) as [KeyKind, ...KeyKind[]];

/** The query parameter that carries a tagged link's token. */
export const LINK_PARAM = 'lt_c';

export const CREDIT_POLICIES = ['every', 'first'] as const;
export type CreditPolicy = (typeof CREDIT_POLICIES)[number];

export const DAY_SECONDS = 86_400;
export const DEFAULT_WINDOW_SECONDS = 14 * DAY_SECONDS;
export const MAX_WINDOW_SECONDS = 31_536_000;

/**
 * Limits of `POST /v1/events`. The body limit equals the browsers' shared keepalive/beacon
 * budget, so whatever the SDK can send in one request fits.
 */
export const LIMITS = {
  bodyBytes: 65_536,
  eventsPerBatch: 100,
  idLength: 128,
  pathLength: 1_024,
  tokenLength: 256,
  /** Largest order value accepted, in major units. */
  maxValue: 1e12,
  /** An event (after clock correction) or a server order time more than this ahead is refused or clamped. */
  futureSkewMs: 5 * 60_000,
  /** Events older than this (after clock correction) are rejected: no SDK queue holds them that long. */
  maxAgeMs: 30 * DAY_SECONDS * 1000,
  /**
   * How far a batch's clock offset (receive time minus the client's send time) may move its
   * events: a device clock wrong by more than this is not believed, and its batch is refused.
   */
  maxClockOffsetMs: 400 * DAY_SECONDS * 1000,
  /** Server order times (`POST /v1/orders` `ts`) older than this are refused. */
  orderMaxAgeMs: 400 * DAY_SECONDS * 1000,
  /** A tagged-link token is genuine for this long after it was issued (then: expired). */
  tokenLifetimeMs: 400 * DAY_SECONDS * 1000,
} as const;
