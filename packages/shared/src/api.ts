import type { Action, CreditPolicy, KeyKind, WidgetKind } from './constants.js';

/** Error body of every non-2xx answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** `POST /v1/sites` request. */
export interface CreateSiteRequest {
  name: string;
  allowedOrigins?: string[];
  /** IANA time zone of the merchant's days (default `UTC`). */
  timezone?: string;
  /** The D1 binding to keep the site's data in (`DB`, `DB_2`, …); default: the least filled. */
  database?: string;
}

/** `POST /v1/sites` answer: the keys are shown once and stored only as hashes. */
export interface CreateSiteResponse {
  siteId: string;
  writeKey: string;
  agentKey: string;
  readKey: string;
}

export interface AttributionWindows {
  /** Whole seconds, 1 to 31,536,000. */
  default: number;
  kinds: Partial<Record<WidgetKind, number>>;
  channels: Record<string, number>;
  campaigns: Record<string, number>;
}

/** `GET/PUT /v1/settings`. */
export interface Settings {
  allowedOrigins: string[];
  attributionWindows: AttributionWindows;
  creditPolicy: CreditPolicy;
  /** IANA time zone of the merchant's days (stats ranges and daily rows); default `UTC`. */
  timezone: string;
}

/** `GET/PUT /v1/settings` answer: the settings, and whether any origin may send events. */
export interface SettingsResponse extends Settings {
  /** No allowed origins configured: events are accepted from any origin until some are set. */
  acceptsAnyOrigin: boolean;
}

/** `PUT /v1/settings`: each given top-level field replaces the stored one. */
export type SettingsUpdate = Partial<Settings>;

/** One rejected event of a batch. */
export interface RejectedEvent {
  index: number;
  code: string;
  message: string;
}

/** `POST /v1/events` answer (202), sent only after the write committed. */
export interface IngestResponse {
  accepted: number;
  duplicates: number;
  rejected: RejectedEvent[];
}

export const ORDER_STATUSES = ['placed', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where a report of an order came from: the visitor's browser or the merchant's server. */
export const ORDER_SOURCES = ['sdk', 'server'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

/** `POST /v1/orders`: server-side confirmation. */
export interface OrderRequest {
  orderId: string;
  /** Major units. */
  value: number;
  currency: string;
  visitorId?: string;
  /** The store's customer id: the customer's other devices' interactions compete for the order. */
  customerId?: string;
  /** ISO 8601 or UTC milliseconds; at most 400 days old and 5 minutes ahead. */
  ts?: string | number;
  status?: OrderStatus;
}

/** `POST /v1/links`. */
export interface LinkRequest {
  url: string;
  conversation: string;
  channel: string;
  agent?: string;
}

export interface LinkResponse {
  url: string;
}

/**
 * Stats query string. `from`/`to`: dates (`2026-11-01`, `to` inclusive) or instants on a local
 * midnight of the site's time zone.
 */
export interface StatsQuery {
  from?: string;
  to?: string;
  verified?: 'true' | 'false';
  /** `csv` answers `text/csv` (as does `Accept: text/csv`). */
  format?: 'json' | 'csv';
  /** `GET /v1/stats/daily`: narrow to one widget or campaign. */
  widget?: string;
  campaign?: string;
  /** Pagination of routes whose rows grow without bound: the previous answer's `nextCursor`. */
  cursor?: string;
  limit?: string;
}

export interface StatsEnvelope<Row> {
  /** The first day's local midnight. */
  from: string;
  /** The local midnight after the last day (exclusive). */
  to: string;
  /** The site's time zone the days were counted in. */
  timezone: string;
  rows: Row[];
  /** Present when more rows follow: pass it as `cursor`. */
  nextCursor?: string;
}

/** How often widgets were shown and used, and the orders and money credited to them. */
export interface WidgetCounts {
  instances: number;
  clicks: number;
  hovers: number;
  dismisses: number;
  orders: number;
  value: number;
  currency: string | null;
}

export interface WidgetStatsRow extends WidgetCounts {
  kind: WidgetKind;
  id: string;
  campaign: string | null;
  sequence: string | null;
}

export interface GroupStatsRow {
  id: string;
  started: number;
  profiles: number;
  orders: number;
  value: number;
  currency: string | null;
}

export interface TopActionRow {
  action: Action;
  channel: string | null;
  orders: number;
}

export const CHAT_GROUPS = ['channel', 'agent', 'conversation'] as const;
export type ChatGroupBy = (typeof CHAT_GROUPS)[number];

/**
 * One chat group and currency. Counts that do not depend on currency (`contacts`,
 * `conversionRate`, `averageSecondsBeforePurchase`, over all the group's orders) stand on the
 * group's first row only (0 or `null` on the others); money and the orders it sums are per row.
 */
export interface ChatStatsRow {
  /** The channel, agent ('' for links issued without one) or conversation. */
  group: string;
  contacts: number;
  transactionsAfterContact: number;
  turnoverAfterContact: number;
  /** `null` when the group has no contacts in the range. */
  conversionRate: number | null;
  /** `null` when the group has no transactions. */
  averageOrderValueAfterContact: number | null;
  averageSecondsBeforePurchase: number | null;
  /** `null` when the group has no contacts in the range. */
  turnoverPerContact: number | null;
  /** `groupBy=agent` only: turnover after contact per production hour (`null` without hours). */
  turnoverPerHour?: number | null;
  currency: string | null;
}

export interface ChatTotalsRow {
  websiteTransactions: number;
  websiteTurnover: number;
  websiteAverageOrderValue: number;
  currency: string;
}

export interface ChatStatsResponse extends StatsEnvelope<ChatStatsRow> {
  groupBy: ChatGroupBy;
  totals: ChatTotalsRow[];
  /** Landings in the range whose token was forged, altered, of another site, or of a link no longer known. */
  invalidLandings: number;
  /** Landings in the range of a genuine token older than its 400 days. */
  expiredLandings: number;
}

/** An interaction as shown in an order's attribution detail. */
export interface InteractionView {
  action: Action;
  kind: WidgetKind | null;
  id: string | null;
  campaign: string | null;
  sequence: string | null;
  channel: string | null;
  conversation: string | null;
  ts: string;
  /** Tagged-link landings: the link was opened by another visitor than its first one. */
  forwarded?: boolean;
  /** The device (visitor id) whose interaction this is. */
  visitorId?: string;
}

export interface CandidateView extends InteractionView {
  lost: string;
}

/** `GET /v1/orders/:orderId`. */
export interface OrderDetail {
  orderId: string;
  value: number;
  currency: string;
  status: OrderStatus;
  verified: boolean;
  visitorId: string | null;
  ts: string;
  credited: InteractionView | null;
  candidates: CandidateView[];
  /** Every value reported for the order (SDK and server), kept visible when they conflict. */
  sources: { source: OrderSource; value: number; currency: string; status: OrderStatus; receivedAt: string }[];
}

/** One local day of `GET /v1/stats/daily`. */
export interface DailyStatsRow extends WidgetCounts {
  /** `YYYY-MM-DD` in the site's time zone. */
  date: string;
  /** Events browsers reported dropping from a full queue that day (site-wide; 0 when narrowed). */
  droppedEvents: number;
}

export const LIFT_GROUPS = ['site', 'campaign', 'widget'] as const;
export type LiftGroupBy = (typeof LIFT_GROUPS)[number];

/** What the eligible visitors of one cohort did in the range. */
export interface LiftCohort {
  visitors: number;
  converters: number;
  orders: number;
  value: number;
  conversionRate: number | null;
  revenuePerVisitor: number | null;
}

export interface LiftRow {
  group: string;
  currency: string | null;
  exposed: LiftCohort;
  holdout: LiftCohort;
  /** Relative difference of conversion rates (exposed / holdout - 1); `null` when undefined. */
  lift: number | null;
  /** 95 % interval of `lift`. */
  low: number | null;
  high: number | null;
  /** The interval excludes 0. */
  significant: boolean;
}

/** `GET /v1/stats/lift`. */
export interface LiftResponse extends StatsEnvelope<LiftRow> {
  groupBy: LiftGroupBy;
}

/** What each `GET /v1/stats/…` route answers, by the route's last segment. */
export interface StatsAnswers {
  widgets: StatsEnvelope<WidgetStatsRow>;
  campaigns: StatsEnvelope<GroupStatsRow>;
  sequences: StatsEnvelope<GroupStatsRow>;
  chat: ChatStatsResponse;
  'top-actions': StatsEnvelope<TopActionRow>;
  daily: StatsEnvelope<DailyStatsRow>;
  lift: LiftResponse;
}

/** `PUT /v1/agents/:agent/hours` answer: what is stored now. */
export interface AgentHoursResponse extends AgentHoursRequest {
  agent: string;
}

/** `PUT /v1/agents/:agent/hours`: an agent's production hours on a local day. */
export interface AgentHoursRequest {
  /** `YYYY-MM-DD`. */
  date: string;
  /** 0 to 24, quarter hours and finer allowed. */
  hours: number;
}

/** What `POST /v1/keys/rotate` can rotate: an API key, or the secret that signs tagged links. */
export type RotatableKind = KeyKind | 'link-secret';

/** `POST /v1/keys/rotate`. The admin token names the site with `siteId`. */
export interface RotateKeyRequest {
  kind: RotatableKind;
  siteId?: string;
}

/**
 * The new key, shown once; for `link-secret`, the id of the new signing secret (the secret
 * itself never leaves the collector).
 */
export type RotateKeyResponse = { key: string } | { keyId: number };

/** `POST /v1/admin/dead-letters/replay`: messages sent back to the work queue, and those still parked. */
export interface ReplayResponse {
  replayed: number;
  remaining: number;
}

export type { KeyKind };
