/**
 * API answers as the collector gives them, typed with the shared API types so a change of shape
 * fails the typecheck here first. One widget (spring-sale) has orders in two currencies: its
 * counts stand on its first row only, as the contract says.
 */
import type { ErrorBody, OrderDetail, StatsAnswers } from '@lasttouch/shared';
import { NO_CHAT_ORDERS, NO_WIDGET_COUNTS } from '@lasttouch/shared/testing';
import type { SiteSettings } from '../src/settings-model.js';

const envelope = { from: '2026-10-24T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z', timezone: 'UTC' };

export const widgets = {
  ...envelope,
  rows: [
    {
      kind: 'popup',
      id: 'spring-sale',
      campaign: 'spring',
      sequence: 'welcome',
      instances: 200,
      clicks: 50,
      hovers: 10,
      dismisses: 20,
      orders: 4,
      value: 160,
      currency: 'EUR',
    },
    {
      kind: 'popup',
      id: 'spring-sale',
      campaign: 'spring',
      sequence: 'welcome',
      ...NO_WIDGET_COUNTS,
      orders: 1,
      value: 30,
      currency: 'USD',
    },
    {
      kind: 'notification',
      id: 'free-shipping',
      campaign: null,
      sequence: null,
      instances: 1000,
      clicks: 10,
      hovers: 300,
      dismisses: 0,
      orders: 2,
      value: 99.5,
      currency: 'EUR',
    },
    {
      kind: 'block',
      id: 'hero',
      campaign: 'spring',
      sequence: null,
      ...NO_WIDGET_COUNTS,
      instances: 40,
    },
  ],
} satisfies StatsAnswers['widgets'];

export const campaigns = {
  ...envelope,
  rows: [
    { id: 'spring', started: 180, profiles: 150, orders: 4, value: 160, currency: 'EUR' },
    { id: 'spring', started: 0, profiles: 0, orders: 1, value: 30, currency: 'USD' },
  ],
} satisfies StatsAnswers['campaigns'];

export const sequences = {
  ...envelope,
  rows: [{ id: 'welcome', started: 120, profiles: 110, orders: 4, value: 160, currency: 'EUR' }],
} satisfies StatsAnswers['sequences'];

export const chat = {
  ...envelope,
  groupBy: 'channel',
  rows: [
    {
      group: 'whatsapp',
      contacts: 3,
      transactionsAfterContact: 1,
      turnoverAfterContact: 40,
      conversionRate: 1 / 3,
      averageOrderValueAfterContact: 40,
      averageSecondsBeforePurchase: 3600,
      turnoverPerContact: 13.33,
      currency: 'EUR',
    },
    {
      group: 'sms',
      contacts: 2,
      ...NO_CHAT_ORDERS,
    },
  ],
  totals: [
    { websiteTransactions: 14, websiteTurnover: 600, websiteAverageOrderValue: 42.86, currency: 'EUR' },
    { websiteTransactions: 1, websiteTurnover: 30, websiteAverageOrderValue: 30, currency: 'USD' },
  ],
  invalidLandings: 2,
  expiredLandings: 1,
} satisfies StatsAnswers['chat'];

export const chatByAgent = {
  ...chat,
  groupBy: 'agent',
  rows: [{ ...chat.rows[0]!, group: 'ana', turnoverPerHour: 20 }],
  invalidLandings: 0,
} satisfies StatsAnswers['chat'];

export const topActions = {
  ...envelope,
  rows: [
    { action: 'popup_click', channel: null, orders: 5 },
    { action: 'link_landing', channel: 'whatsapp', orders: 1 },
  ],
} satisfies StatsAnswers['top-actions'];

export const daily = {
  ...envelope,
  from: '2026-11-16T00:00:00.000Z',
  rows: [
    {
      date: '2026-11-20',
      instances: 30,
      clicks: 4,
      hovers: 1,
      dismisses: 2,
      orders: 1,
      value: 40,
      currency: 'EUR',
      droppedEvents: 3,
    },
    {
      date: '2026-11-22',
      instances: 10,
      clicks: 1,
      hovers: 0,
      dismisses: 0,
      orders: 2,
      value: 80,
      currency: 'EUR',
      droppedEvents: 0,
    },
    {
      date: '2026-11-22',
      ...NO_WIDGET_COUNTS,
      orders: 1,
      value: 30,
      currency: 'USD',
      droppedEvents: 0,
    },
  ],
} satisfies StatsAnswers['daily'];

export const liftNone = { ...envelope, groupBy: 'campaign', rows: [] } satisfies StatsAnswers['lift'];

export const lift = {
  ...envelope,
  groupBy: 'campaign',
  rows: [
    {
      group: 'spring',
      currency: 'EUR',
      exposed: {
        visitors: 812,
        converters: 41,
        orders: 44,
        value: 1830.5,
        conversionRate: 0.0505,
        revenuePerVisitor: 2.25,
      },
      holdout: { visitors: 90, converters: 3, orders: 3, value: 120, conversionRate: 0.0333, revenuePerVisitor: 1.33 },
      lift: 0.515,
      low: -0.42,
      high: 3.1,
      significant: false,
    },
    {
      group: 'spring',
      currency: 'USD',
      exposed: { visitors: 0, converters: 0, orders: 1, value: 30, conversionRate: null, revenuePerVisitor: 0.04 },
      holdout: { visitors: 0, converters: 0, orders: 0, value: 0, conversionRate: null, revenuePerVisitor: null },
      lift: null,
      low: null,
      high: null,
      significant: false,
    },
  ],
} satisfies StatsAnswers['lift'];

export const liftSite = {
  ...envelope,
  groupBy: 'site',
  rows: [{ ...lift.rows[0]!, group: 'site', lift: 0.6, low: 0.1, high: 1.2, significant: true }],
} satisfies StatsAnswers['lift'];

export const settings: SiteSettings = {
  allowedOrigins: ['https://shop.example'],
  attributionWindows: { default: 1_209_600, kinds: { popup: 86_400 }, channels: { sms: 86_400 }, campaigns: {} },
  creditPolicy: 'every',
  timezone: 'Europe/Paris',
  acceptsAnyOrigin: false,
};

export const order = {
  orderId: 'demo-1001',
  value: 40,
  currency: 'EUR',
  status: 'placed',
  verified: false,
  visitorId: 'abcdefghijklmnop',
  ts: '2026-11-22T10:00:00.000Z',
  credited: {
    action: 'link_landing',
    kind: null,
    id: null,
    campaign: null,
    sequence: null,
    channel: 'whatsapp',
    conversation: 'conversation-1',
    ts: '2026-11-22T09:58:00.000Z',
    forwarded: false,
  },
  candidates: [
    {
      action: 'popup_click',
      kind: 'popup',
      id: 'spring-sale',
      campaign: 'spring',
      sequence: 'welcome',
      channel: null,
      conversation: null,
      ts: '2026-11-22T09:50:00.000Z',
      lost: 'earlier than the credited interaction',
    },
  ],
  sources: [{ source: 'sdk', value: 40, currency: 'EUR', status: 'placed', receivedAt: '2026-11-22T10:00:01.000Z' }],
} satisfies OrderDetail;

export const invalidWindow = {
  error: {
    code: 'invalid_settings',
    message: 'attributionWindows.default: Too small: expected number to be >=1',
    details: [{ path: 'attributionWindows.default', message: 'Too small: expected number to be >=1' }],
  },
} satisfies ErrorBody;

export const invalidHours = {
  error: {
    code: 'invalid_request',
    message: 'hours: Too big: expected number to be <=24',
    details: [{ path: 'hours', message: 'Too big: expected number to be <=24' }],
  },
} satisfies ErrorBody;
