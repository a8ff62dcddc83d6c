import * as z from 'zod';
import { type CreateSiteRequest, type LinkRequest, ORDER_STATUSES, type OrderRequest } from '../api.js';
import { channelName, currencyCode, label, opaqueId, orderValue, text } from './common.js';
import { allowedOrigins } from './settings.js';

export const createSiteSchema: z.ZodType<CreateSiteRequest> = z.strictObject({
  name: label(100),
  allowedOrigins: allowedOrigins.optional(),
});

export const orderSchema: z.ZodType<OrderRequest> = z.strictObject({
  orderId: label(),
  value: orderValue,
  currency: currencyCode,
  visitorId: opaqueId().optional(),
  ts: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative().max(8.64e15)]).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
});

export const linkSchema: z.ZodType<LinkRequest> = z.strictObject({
  url: text().min(1).max(2048),
  conversation: label(),
  channel: channelName,
  agent: label().optional(),
});
