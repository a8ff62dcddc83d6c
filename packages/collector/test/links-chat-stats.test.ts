import type { ChatStatsResponse } from '@lasttouch/shared';
import { NO_CHAT_ORDERS } from '@lasttouch/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDate, localMidnight } from '../src/time/zones.js';
import { createShop, DAY, HOUR, iso, type Shop } from './attribution-helpers.js';
import { call, callWithKey, uid } from './helpers.js';
import { issuedAt, ORIGIN, tampered } from './links-helpers.js';
import { checkoutEvent, landingEvent } from './sdk-events.js';

/** New York: its days start at 04:00 or 05:00 UTC, so a UTC day would count other contacts. */
const TZ = 'America/New_York';
/** The local day of the story, three days ago, and its noon: every event below stays inside the day. */
const D = localDate(Date.now() - 3 * DAY, TZ);
const NOON = localMidnight(D, TZ) + 12 * HOUR;
const ago = (ms: number) => NOON - ms;

/**
 * Hand-computed scenario on local day D (sms window 1 day, default 14 days, credit policy
 * `every`); every link is issued at a known time, so each order's seconds since the
 * conversation's first link are exact:
 * - conv-a (whatsapp, ana), links at -4 h and -2.5 h: V1 lands at -3 h, orders 40 EUR at -2 h,
 *   lands through the second link at -1.5 h, orders 20 EUR at -1 h (7,200 s and 10,800 s).
 * - conv-b (whatsapp, bob), link at -6 h: V2 lands at -5 h, orders 10 USD at -4 h (7,200 s).
 * - conv-c (sms, ana), link three days before: V3 lands at -2 days and orders 25 EUR at -1 h
 *   (outside the sms day: no credit); V4, the link forwarded, lands at -2 h and orders 30 EUR
 *   at -1 h (255,600 s), confirmed by the store's server.
 * - conv-d (email, no agent), link at -1 h, and conv-e (chat, ana), link at 22:00 the local day
 *   before D (already D in UTC): nobody opens them.
 * - V5 orders 50 EUR without any contact; V6 lands with an altered token and V7 with a token
 *   issued 401 days ago (expired), each orders: no credit.
 */
describe('GET /v1/stats/chat', () => {
  let shop: Shop;
  const v = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`v${n}`, uid(`v${n}`)]));
  const orderOfV4 = uid('order-v4');
  const range = (from: string, to: string) => `from=${from}&to=${to}`;
  const WEEK = range(addDays(D, -5), D);
  const chat = (query: string) => shop.get<ChatStatsResponse>(`/v1/stats/chat?${query}`);

  beforeAll(async () => {
    shop = await createShop({ allowedOrigins: [ORIGIN], timezone: TZ });
    await shop.settings({
      attributionWindows: { default: 14 * 86_400, kinds: {}, channels: { sms: 86_400 }, campaigns: {} },
    });
    const link = (at: number, conversation: string, channel: string, agent?: string) =>
      issuedAt(shop.siteId, at, { conversation, channel, ...(agent === undefined ? {} : { agent }) }).then(
        (l) => l.token,
      );
    const a1 = await link(ago(4 * HOUR), 'conv-a', 'whatsapp', 'ana');
    const a2 = await link(ago(2.5 * HOUR), 'conv-a', 'whatsapp', 'ana');
    const b = await link(ago(6 * HOUR), 'conv-b', 'whatsapp', 'bob');
    const c = await link(ago(3 * DAY), 'conv-c', 'sms', 'ana');
    await link(ago(HOUR), 'conv-d', 'email');
    await link(localMidnight(D, TZ) - 2 * HOUR, 'conv-e', 'chat', 'ana');
    const old = await link(ago(401 * DAY), 'conv-x', 'whatsapp', 'ana');

    await shop.send([landingEvent({ v: v.v1, tk: a1, ts: ago(3 * HOUR) })]);
    await shop.send([checkoutEvent({ v: v.v1, val: 40, cur: 'EUR', ts: ago(2 * HOUR) })]);
    await shop.send([
      landingEvent({ v: v.v1, tk: a2, ts: ago(90 * 60_000) }),
      checkoutEvent({ v: v.v1, val: 20, cur: 'EUR', ts: ago(HOUR) }),
      landingEvent({ v: v.v2, tk: b, ts: ago(5 * HOUR) }),
      checkoutEvent({ v: v.v2, val: 10, cur: 'USD', ts: ago(4 * HOUR) }),
      landingEvent({ v: v.v3, tk: c, ts: ago(2 * DAY) }),
      checkoutEvent({ v: v.v3, val: 25, cur: 'EUR', ts: ago(HOUR) }),
      landingEvent({ v: v.v4, tk: c, ts: ago(2 * HOUR) }),
      checkoutEvent({ v: v.v4, o: orderOfV4, val: 30, cur: 'EUR', ts: ago(HOUR) }),
      checkoutEvent({ v: v.v5, val: 50, cur: 'EUR', ts: ago(HOUR) }),
      landingEvent({ v: v.v6, tk: tampered(a1), ts: ago(2 * HOUR) }),
      checkoutEvent({ v: v.v6, val: 5, cur: 'EUR', ts: ago(HOUR) }),
      landingEvent({ v: v.v7, tk: old, ts: ago(2 * HOUR) }),
      checkoutEvent({ v: v.v7, val: 15, cur: 'EUR', ts: ago(HOUR) }),
    ]);
    await shop.order({ orderId: orderOfV4, value: 30, currency: 'EUR', visitorId: v.v4!, ts: ago(HOUR) });
  });

  const totals = [
    { websiteTransactions: 7, websiteTurnover: 185, websiteAverageOrderValue: 26.43, currency: 'EUR' },
    { websiteTransactions: 1, websiteTurnover: 10, websiteAverageOrderValue: 10, currency: 'USD' },
  ];

  it('per channel: contacts without clicks, counts on the first currency row, the sms window applied, site totals', async () => {
    const res = await chat(`groupBy=channel&${WEEK}`);
    expect(res.groupBy).toBe('channel');
    expect(res.timezone).toBe(TZ);
    expect(res.rows).toEqual([
      {
        group: 'whatsapp',
        contacts: 2,
        transactionsAfterContact: 2,
        turnoverAfterContact: 60,
        conversionRate: 1.5,
        averageOrderValueAfterContact: 30,
        averageSecondsBeforePurchase: 8400,
        turnoverPerContact: 30,
        currency: 'EUR',
      },
      {
        group: 'whatsapp',
        contacts: 0,
        transactionsAfterContact: 1,
        turnoverAfterContact: 10,
        conversionRate: null,
        averageOrderValueAfterContact: 10,
        averageSecondsBeforePurchase: null,
        turnoverPerContact: 5,
        currency: 'USD',
      },
      { group: 'chat', contacts: 1, ...NO_CHAT_ORDERS },
      { group: 'email', contacts: 1, ...NO_CHAT_ORDERS },
      {
        group: 'sms',
        contacts: 1,
        transactionsAfterContact: 1,
        turnoverAfterContact: 30,
        conversionRate: 1,
        averageOrderValueAfterContact: 30,
        averageSecondsBeforePurchase: 255_600,
        turnoverPerContact: 30,
        currency: 'EUR',
      },
    ]);
    expect(res.rows.reduce((sum, r) => sum + r.contacts, 0)).toBe(5);
    expect(res.totals).toEqual(totals);
    expect([res.invalidLandings, res.expiredLandings]).toEqual([1, 1]);
  });

  it('per agent: a conversation without agent is the "" group; turnover per production hour of the range', async () => {
    const hours = (date: string, h: number) =>
      callWithKey(shop.readKey, '/v1/agents/ana/hours', { method: 'PUT', body: { date, hours: h } });
    expect((await hours(D, 4)).status).toBe(200);
    // Hours of a day outside the range do not count.
    expect((await hours(addDays(D, 1), 8)).status).toBe(200);
    const res = await chat(`groupBy=agent&${WEEK}`);
    expect(
      res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact, r.turnoverAfterContact, r.currency]),
    ).toEqual([
      ['ana', 3, 3, 90, 'EUR'],
      ['', 1, 0, 0, null],
      ['bob', 1, 1, 10, 'USD'],
    ]);
    expect(res.rows[0]).toMatchObject({
      conversionRate: 1,
      averageOrderValueAfterContact: 30,
      averageSecondsBeforePurchase: 91_200,
      turnoverPerContact: 30,
      turnoverPerHour: 22.5,
    });
    expect(res.rows[2]).toMatchObject({ turnoverPerHour: null });
    expect(res.totals).toEqual(totals);
  });

  it('per conversation: a conversation with two links is one contact', async () => {
    const res = await chat(`groupBy=conversation&${WEEK}`);
    expect(
      res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact, r.turnoverAfterContact, r.currency]),
    ).toEqual([
      ['conv-a', 1, 2, 60, 'EUR'],
      ['conv-b', 1, 1, 10, 'USD'],
      ['conv-c', 1, 1, 30, 'EUR'],
      ['conv-d', 1, 0, 0, null],
      ['conv-e', 1, 0, 0, null],
    ]);
  });

  it('shows the forwarded landing in the order detail', async () => {
    const detail = await shop.detail(orderOfV4);
    expect(detail).toMatchObject({
      verified: true,
      credited: { action: 'link_landing', channel: 'sms', conversation: 'conv-c', forwarded: true },
    });
  });

  it('counts contacts by the local day their links were issued, orders by the local day they were placed', async () => {
    // conv-e's link is D in UTC but the day before in New York.
    const dayBefore = await chat(`groupBy=conversation&${range(addDays(D, -1), addDays(D, -1))}`);
    expect(dayBefore.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact])).toEqual([['conv-e', 1, 0]]);
    expect([dayBefore.from, dayBefore.to]).toEqual([iso(localMidnight(addDays(D, -1), TZ)), iso(localMidnight(D, TZ))]);
    const day = await chat(`groupBy=conversation&${range(D, D)}`);
    expect(day.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact])).toEqual([
      ['conv-a', 1, 2],
      ['conv-b', 1, 1],
      ['conv-d', 1, 0],
      ['conv-c', 0, 1],
    ]);
    // conv-c's order was placed on D: before D, its contact stands without transactions.
    const earlier = await chat(`groupBy=conversation&${range(addDays(D, -5), addDays(D, -1))}`);
    expect(earlier.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact])).toEqual([
      ['conv-c', 1, 0],
      ['conv-e', 1, 0],
    ]);
    expect(earlier.totals).toEqual([]);
    expect([earlier.invalidLandings, earlier.expiredLandings]).toEqual([0, 0]);
  });

  it('with verified=true counts only server-confirmed orders and keeps contacts', async () => {
    const res = await chat(`groupBy=channel&verified=true&${WEEK}`);
    expect(res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact, r.turnoverAfterContact])).toEqual([
      ['whatsapp', 2, 0, 0],
      ['chat', 1, 0, 0],
      ['email', 1, 0, 0],
      ['sms', 1, 1, 30],
    ]);
    expect(res.totals).toEqual([
      { websiteTransactions: 1, websiteTurnover: 30, websiteAverageOrderValue: 30, currency: 'EUR' },
    ]);
  });

  it('answers CSV with the JSON field names as header', async () => {
    const res = await call(`/v1/stats/chat?groupBy=agent&format=csv&${WEEK}`, {
      headers: { Authorization: `Bearer ${shop.readKey}` },
    });
    expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const [header, first] = (await res.text()).trim().split(/\r?\n/);
    expect(header!.split(',')).toEqual(expect.arrayContaining(['group', 'contacts', 'turnoverPerHour', 'currency']));
    expect(first).toMatch(/^ana,3,/);
  });

  it('refuses an unknown groupBy, a bad range and a non-read key', async () => {
    for (const query of ['groupBy=visitor', 'from=yesterday', 'verified=yes', `from=${D}T00:00:00Z`]) {
      const res = await callWithKey(shop.readKey, `/v1/stats/chat?${query}`);
      expect(res.status, query).toBe(400);
    }
    const offMidnight = await callWithKey(shop.readKey, `/v1/stats/chat?from=${D}T00:00:00Z`);
    expect((await offMidnight.json<{ error: { message: string } }>()).error.message).toContain(TZ);
    expect((await callWithKey(shop.agentKey, '/v1/stats/chat')).status).toBe(403);
    expect((await callWithKey(shop.writeKey, '/v1/stats/chat')).status).toBe(403);
  });
});
