import * as z from 'zod';
import {
  type AgentHoursResponse,
  type CandidateView,
  CHAT_GROUPS,
  type ChatStatsResponse,
  type ChatStatsRow,
  type ChatTotalsRow,
  type CreateSiteResponse,
  type DailyStatsRow,
  type ErrorBody,
  type GroupStatsRow,
  type IngestResponse,
  type InteractionView,
  LIFT_GROUPS,
  type LiftCohort,
  type LiftResponse,
  type LiftRow,
  type LinkResponse,
  ORDER_SOURCES,
  ORDER_STATUSES,
  type OrderDetail,
  type ReplayResponse,
  type RotateKeyResponse,
  type SettingsResponse,
  type StatsEnvelope,
  type TopActionRow,
  type WidgetStatsRow,
} from '../api.js';
import { ACTIONS, KEY_PREFIXES, WIDGET_KINDS } from '../constants.js';
import { currencyCode } from '../validate/common.js';
import { settingsObject } from '../validate/settings.js';
import { exact } from './exact.js';

/*
 * The answers of the collector's API as zod schemas: what the OpenAPI document describes and
 * the collector's contract test checks every answer against. Each is pinned to its type in
 * `api.ts` with `exact`, so the types the code is written against and the document cannot part.
 */

const count = z.number().int().nonnegative();
const instant = z.iso.datetime().meta({ description: 'ISO 8601 instant (UTC)' });
const money = z.number().meta({ description: 'Major units (12.5 = 12.50)' });
const nullableCurrency = currencyCode.nullable().meta({ description: 'ISO 4217; `null` on rows without orders' });
const ratio = z.number().nullable();

export const errorBody = exact<ErrorBody>()(
  z
    .strictObject({
      error: z.strictObject({
        code: z.string().meta({ description: 'Stable, machine-readable: `unauthorized`, `invalid_batch`, …' }),
        message: z.string().meta({ description: 'One readable sentence' }),
        details: z.unknown().optional().meta({ description: 'Validation errors: `[{path, message}]`' }),
      }),
    })
    .meta({ id: 'ErrorBody', description: 'The body of every answer that is not a 2xx' }),
);

const key = (kind: keyof typeof KEY_PREFIXES) =>
  z
    .string()
    .startsWith(KEY_PREFIXES[kind])
    .meta({ description: `The ${kind} key, shown this once` });

export const createSiteResponse = exact<CreateSiteResponse>()(
  z
    .strictObject({ siteId: z.string(), writeKey: key('write'), agentKey: key('agent'), readKey: key('read') })
    .meta({ id: 'CreateSiteResponse', description: 'The keys are shown once and stored only as hashes' }),
);

export const settingsResponse = exact<SettingsResponse>()(
  settingsObject
    .extend({
      acceptsAnyOrigin: z.boolean().meta({
        description: 'No allowed origins configured: events are accepted from any origin until some are set',
      }),
    })
    .meta({ id: 'SettingsResponse' }),
);

export const ingestResponse = exact<IngestResponse>()(
  z
    .strictObject({
      accepted: count.meta({ description: 'New events, durable once this answer is sent' }),
      duplicates: count.meta({ description: 'Events already stored (same id): counted once' }),
      rejected: z.array(
        z.strictObject({
          index: count.meta({ description: "The event's position in the batch" }),
          code: z.string(),
          message: z.string(),
        }),
      ),
    })
    .meta({ id: 'IngestResponse' }),
);

export const linkResponse = exact<LinkResponse>()(
  z.strictObject({ url: z.string().meta({ description: 'The store url with its signed token' }) }).meta({
    id: 'LinkResponse',
  }),
);

export const agentHoursResponse = exact<AgentHoursResponse>()(
  z
    .strictObject({ agent: z.string(), date: z.iso.date(), hours: z.number().min(0).max(24) })
    .meta({ id: 'AgentHoursResponse' }),
);

export const rotateKeyResponse = exact<RotateKeyResponse>()(
  z
    .union([
      z.strictObject({ key: z.string().meta({ description: 'The new key, shown this once' }) }),
      z.strictObject({
        keyId: z.number().int().min(1).max(255).meta({ description: 'The id of the new link-signing secret' }),
      }),
    ])
    .meta({ id: 'RotateKeyResponse' }),
);

export const replayResponse = exact<ReplayResponse>()(
  z
    .strictObject({
      replayed: z.number().int().min(0).meta({ description: 'Messages sent back to the work queue' }),
      remaining: z.number().int().min(0).meta({ description: 'Messages still parked: call again while above 0' }),
    })
    .meta({ id: 'ReplayResponse' }),
);

export const healthResponse = z.strictObject({ ok: z.literal(true) }).meta({ id: 'Health' });

const interactionFields = {
  action: z.enum(ACTIONS),
  kind: z.enum(WIDGET_KINDS).nullable(),
  id: z.string().nullable(),
  campaign: z.string().nullable(),
  sequence: z.string().nullable(),
  channel: z.string().nullable(),
  conversation: z.string().nullable(),
  ts: instant,
  forwarded: z
    .boolean()
    .optional()
    .meta({ description: 'Tagged-link landings: the link was opened by another visitor than its first one' }),
  visitorId: z.string().optional().meta({ description: 'The device (visitor id) whose interaction this is' }),
};

export const interactionView = exact<InteractionView>()(
  z.strictObject(interactionFields).meta({ id: 'InteractionView' }),
);

export const candidateView = exact<CandidateView>()(
  z
    .strictObject({ ...interactionFields, lost: z.string().meta({ description: 'Why it did not earn the credit' }) })
    .meta({ id: 'CandidateView' }),
);

export const orderDetail = exact<OrderDetail>()(
  z
    .strictObject({
      orderId: z.string(),
      value: money,
      currency: currencyCode,
      status: z.enum(ORDER_STATUSES),
      verified: z.boolean().meta({ description: "Confirmed by the store's server (`POST /v1/orders`)" }),
      visitorId: z.string().nullable(),
      ts: instant,
      credited: interactionView.nullable(),
      candidates: z.array(candidateView),
      sources: z
        .array(
          z.strictObject({
            source: z.enum(ORDER_SOURCES),
            value: money,
            currency: currencyCode,
            status: z.enum(ORDER_STATUSES),
            receivedAt: instant,
          }),
        )
        .meta({ description: 'Every value reported for the order (SDK and server), kept visible when they conflict' }),
    })
    .meta({ id: 'OrderDetail' }),
);

/** The envelope of every stats answer, around its rows. */
const statsEnvelope = <Row extends z.ZodType>(row: Row) =>
  z.strictObject({
    from: instant.meta({ description: "The first day's local midnight" }),
    to: instant.meta({ description: 'The local midnight after the last day (exclusive)' }),
    timezone: z.string().meta({ description: "The site's time zone the days were counted in" }),
    rows: z.array(row),
    nextCursor: z.string().optional().meta({ description: 'Present when more rows follow: pass it as `cursor`' }),
  });

export const widgetStatsRow = exact<WidgetStatsRow>()(
  z
    .strictObject({
      kind: z.enum(WIDGET_KINDS),
      id: z.string(),
      campaign: z.string().nullable(),
      sequence: z.string().nullable(),
      instances: count.meta({ description: 'Showings' }),
      clicks: count.meta({ description: 'Sessions in which the widget was clicked at least once' }),
      hovers: count.meta({ description: 'Sessions in which the widget was hovered at least once' }),
      dismisses: count,
      orders: count.meta({ description: 'Orders credited to the widget' }),
      value: money,
      currency: nullableCurrency,
    })
    .meta({ id: 'WidgetStatsRow' }),
);

export const groupStatsRow = exact<GroupStatsRow>()(
  z
    .strictObject({
      id: z.string(),
      started: count.meta({ description: 'Sessions in which one of its widgets was first shown' }),
      profiles: count.meta({ description: 'Distinct visitors shown one (estimated above 10,000, error at most 2 %)' }),
      orders: count,
      value: money,
      currency: nullableCurrency,
    })
    .meta({ id: 'GroupStatsRow' }),
);

export const topActionRow = exact<TopActionRow>()(
  z
    .strictObject({ action: z.enum(ACTIONS), channel: z.string().nullable(), orders: count })
    .meta({ id: 'TopActionRow' }),
);

export const dailyStatsRow = exact<DailyStatsRow>()(
  z
    .strictObject({
      date: z.iso.date().meta({ description: "`YYYY-MM-DD` in the site's time zone" }),
      instances: count,
      clicks: count,
      hovers: count,
      dismisses: count,
      orders: count,
      value: money,
      currency: nullableCurrency,
      droppedEvents: count.meta({
        description: 'Events browsers reported dropping from a full queue that day (site-wide; 0 when narrowed)',
      }),
    })
    .meta({ id: 'DailyStatsRow' }),
);

export const chatStatsRow = exact<ChatStatsRow>()(
  z
    .strictObject({
      group: z.string().meta({ description: "The channel, agent ('' for links issued without one) or conversation" }),
      contacts: count,
      transactionsAfterContact: count,
      turnoverAfterContact: money,
      conversionRate: ratio,
      averageOrderValueAfterContact: ratio,
      averageSecondsBeforePurchase: ratio,
      turnoverPerContact: ratio,
      turnoverPerHour: ratio.optional().meta({ description: '`groupBy=agent` only; `null` without hours' }),
      currency: nullableCurrency,
    })
    .meta({ id: 'ChatStatsRow' }),
);

export const chatTotalsRow = exact<ChatTotalsRow>()(
  z
    .strictObject({
      websiteTransactions: count,
      websiteTurnover: money,
      websiteAverageOrderValue: money,
      currency: currencyCode,
    })
    .meta({ id: 'ChatTotalsRow' }),
);

const liftCohort = exact<LiftCohort>()(
  z
    .strictObject({
      visitors: count,
      converters: count,
      orders: count,
      value: money,
      conversionRate: ratio,
      revenuePerVisitor: ratio,
    })
    .meta({ id: 'LiftCohort' }),
);

export const liftRow = exact<LiftRow>()(
  z
    .strictObject({
      group: z.string(),
      currency: nullableCurrency,
      exposed: liftCohort,
      holdout: liftCohort,
      lift: ratio.meta({ description: 'Relative difference of conversion rates (exposed / holdout - 1)' }),
      low: ratio.meta({ description: 'Lower end of the 95 % interval of `lift`' }),
      high: ratio.meta({ description: 'Upper end of the 95 % interval of `lift`' }),
      significant: z.boolean().meta({ description: 'The interval excludes 0' }),
    })
    .meta({ id: 'LiftRow' }),
);

export const widgetStats = exact<StatsEnvelope<WidgetStatsRow>>()(
  statsEnvelope(widgetStatsRow).meta({ id: 'WidgetStats' }),
);
export const groupStats = exact<StatsEnvelope<GroupStatsRow>>()(
  statsEnvelope(groupStatsRow).meta({ id: 'GroupStats' }),
);
export const topActions = exact<StatsEnvelope<TopActionRow>>()(statsEnvelope(topActionRow).meta({ id: 'TopActions' }));
export const dailyStats = exact<StatsEnvelope<DailyStatsRow>>()(
  statsEnvelope(dailyStatsRow).meta({ id: 'DailyStats' }),
);

export const chatStats = exact<ChatStatsResponse>()(
  statsEnvelope(chatStatsRow)
    .extend({
      groupBy: z.enum(CHAT_GROUPS),
      totals: z.array(chatTotalsRow),
      invalidLandings: count.meta({
        description: 'Landings whose token was forged, altered, of another site, or of a link no longer known',
      }),
      expiredLandings: count.meta({ description: 'Landings of a genuine token older than its 400 days' }),
    })
    .meta({ id: 'ChatStats' }),
);

export const liftStats = exact<LiftResponse>()(
  statsEnvelope(liftRow)
    .extend({ groupBy: z.enum(LIFT_GROUPS) })
    .meta({ id: 'LiftStats' }),
);
