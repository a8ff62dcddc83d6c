import type { Action, CreditPolicy, KeyKind, WidgetKind } from './constants.js';

/** Error body of every non-2xx answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** `POST /v1/sites` request. */
export interface CreateSiteRequest {
  name: string;
  allowedOrigins?: string[];
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
  /** ISO 8601 or UTC milliseconds. */
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

/** Stats query string: ISO 8601 bounds and `verified=true`. */
export interface StatsQuery {
  from?: string;
  to?: string;
  verified?: 'true' | 'false';
}

export interface StatsEnvelope<Row> {
  from: string;
  to: string;
  rows: Row[];
}

export interface WidgetStatsRow {
  kind: WidgetKind;
  id: string;
  campaign: string | null;
  sequence: string | null;
  instances: number;
  clicks: number;
  hovers: number;
  dismisses: number;
  orders: number;
  value: number;
  currency: string | null;
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
  currency: string | null;
}

export interface ChatTotalsRow {
  websiteTransactions: number;
  websiteTurnover: number;
  websiteAverageOrderValue: number;
  currency: string;
}

export interface ChatStatsResponse {
  from: string;
  to: string;
  groupBy: ChatGroupBy;
  rows: ChatStatsRow[];
  totals: ChatTotalsRow[];
  /** Landings in the range whose token was forged, altered, expired or of another site. */
  invalidLandings: number;
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
  forwarded?: boolean;
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

export type { KeyKind };
