import * as z from 'zod';
import {
  type AgentHoursRequest,
  type CreateSiteRequest,
  type LinkRequest,
  ORDER_STATUSES,
  type OrderRequest,
  type RotateKeyRequest,
} from '../api.js';
import { KEY_KINDS, LIMITS } from '../constants.js';
import { channelName, currencyCode, label, opaqueId, orderValue, text } from './common.js';
import { allowedOrigins, timeZone } from './settings.js';

export const createSiteSchema: z.ZodType<CreateSiteRequest> = z.strictObject({
  name: label(100),
  allowedOrigins: allowedOrigins.optional(),
  timezone: timeZone.optional(),
  database: z
    .string()
    .regex(/^DB(?:_[1-9][0-9]*)?$/, 'must be a D1 binding name such as DB or DB_2')
    .optional(),
});

const DAY_MS = 86_400_000;

/**
 * A server order time: an ISO 8601 string with an offset, or UTC milliseconds; at most
 * `LIMITS.orderMaxAgeMs` (400 days) old and `LIMITS.futureSkewMs` (5 minutes) ahead of now, so
 * Unix seconds (a 1970 date in milliseconds) and other unit slips are refused, not stored.
 */
export const orderTime = z
  .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative().max(8.64e15)])
  .superRefine((value, ctx) => {
    const ms = typeof value === 'number' ? value : Date.parse(value);
    const now = Date.now();
    if (ms < now - LIMITS.orderMaxAgeMs) {
      const hint = typeof value === 'number' && value < 1e11 ? ' (it looks like Unix seconds: send milliseconds)' : '';
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${LIMITS.orderMaxAgeMs / DAY_MS} days old${hint}`,
      });
    } else if (ms > now + LIMITS.futureSkewMs) {
      ctx.addIssue({ code: 'custom', message: `must not be more than ${LIMITS.futureSkewMs / 60_000} minutes ahead` });
    }
  });

export const orderSchema: z.ZodType<OrderRequest> = z.strictObject({
  orderId: label(),
  value: orderValue,
  currency: currencyCode,
  visitorId: opaqueId().optional(),
  customerId: label().optional(),
  ts: orderTime.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
});

export const linkSchema: z.ZodType<LinkRequest> = z.strictObject({
  url: text().min(1).max(2048),
  conversation: label(),
  channel: channelName,
  agent: label().optional(),
});

/** `PUT /v1/agents/:agent/hours`: a real calendar date and 0 to 24 hours. */
export const agentHoursSchema: z.ZodType<AgentHoursRequest> = z.strictObject({
  date: z.iso.date(),
  hours: z.number().min(0).max(24),
});

/**
 * `POST /v1/keys/rotate`: an API key kind, or `link-secret`; `siteId` only with the admin token
 * (a read key names its own site).
 */
export const rotateKeySchema: z.ZodType<RotateKeyRequest> = z.strictObject({
  kind: z.enum([...KEY_KINDS, 'link-secret']),
  siteId: opaqueId().optional(),
});
