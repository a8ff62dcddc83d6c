import { env } from 'cloudflare:workers';
import { type ChatStatsResponse, type DailyStatsRow, LIMITS, LINK_PARAM, type StatsEnvelope } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { recordLink } from '../src/links/queries.js';
import { newLinkId, signToken } from '../src/links/token.js';
import { createShop, DAY, dateOf, daysAgo, HOUR, iso, type Shop, visitor } from './attribution-helpers.js';
import { call, callWithKey, postEvents, uid } from './helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';
const MINUTE = 60_000;

async function tag(shop: Shop, conversation = 'wa-1', channel = 'whatsapp'): Promise<string> {
  const res = await callWithKey(shop.agentKey, '/v1/links', {
    method: 'POST',
    body: { url: `${ORIGIN}/p/1`, conversation, channel, agent: 'ann' },
  });
  expect(res.status).toBe(201);
  return new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
}

/** A genuine token issued at `issuedAt`, as the site would have signed it then. */
async function tokenIssuedAt(shop: Shop, issuedAt: number): Promise<string> {
  const secret = await env.DB.prepare(
    "select key_id as keyId, secret from site_secrets where site_id = ? and purpose = 'link'",
  )
    .bind(shop.siteId)
    .first<{ keyId: number; secret: string }>();
  const linkId = newLinkId();
  await recordLink(env.DB, shop.siteId, {
    linkId,
    url: `${ORIGIN}/p/1`,
    conversation: 'old',
    channel: 'whatsapp',
    issuedAt,
  });
  return signToken({ siteId: shop.siteId, keyId: secret!.keyId, secret: secret!.secret, linkId, issuedAt });
}

/**
 * A new visitor's `journey` (built from its ids and the time of the order), then its order now;
 * answers the order's credited touch and that time.
 */
async function orderAfter(shop: Shop, journey: (who: { v: string; s: string }, now: number) => unknown[]) {
  const who = visitor();
  const order = uid('order');
  const now = Date.now();
  await shop.send([...journey(who, now), checkoutEvent({ ...who, o: order, ts: now })]);
  return { credited: (await shop.detail(order)).credited, now };
}

describe('server reports apply in the order received', () => {
  it('counts an order again when placed → refunded → placed, and the latest value stands', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    const T = daysAgo(2) + 12 * HOUR;
    await shop.send([widgetEvent({ ...who, ts: T - HOUR })]);
    const report = { orderId: order, currency: 'EUR', visitorId: who.v, ts: T };
    expect(await shop.order({ ...report, value: 40 })).toMatchObject({ status: 'placed', value: 40 });
    expect(await shop.order({ ...report, value: 40, status: 'refunded' })).toMatchObject({ status: 'refunded' });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 0, value: 0 })]);
    const again = await shop.order({ ...report, value: 40 });
    expect(again).toMatchObject({ status: 'placed', value: 40, credited: { action: 'popup_click' } });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1, value: 40 })]);
    await shop.order({ ...report, value: 35 });
    await shop.order({ ...report, value: 40 });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1, value: 40 })]);
  });

  it('refuses a ts in Unix seconds, too old or ahead, with a 400 that says why, and stores nothing', async () => {
    const shop = await createShop();
    const order = uid('order');
    const now = Date.now();
    for (const [ts, message] of [
      [Math.floor(now / 1000), /Unix seconds/],
      [now - LIMITS.orderMaxAgeMs - DAY, /400 days/],
      [now + 10 * MINUTE, /ahead/],
      ['2026-13-01T00:00:00Z', /ts/],
    ] as const) {
      const res = await callWithKey(shop.readKey, '/v1/orders', {
        method: 'POST',
        body: { orderId: order, value: 10, currency: 'EUR', ts },
      });
      expect(res.status).toBe(400);
      expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(message);
    }
    expect((await callWithKey(shop.readKey, `/v1/orders/${order}`)).status).toBe(404);
  });
});

describe('tagged links', () => {
  it('makes every landing a touch: a link re-opened after a pop-up click wins the order', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop);
    const { credited, now } = await orderAfter(shop, (who, t) => [
      landingEvent({ ...who, tk: token, ts: t - 3 * HOUR }),
      widgetEvent({ ...who, ts: t - 2 * HOUR }),
      landingEvent({ ...who, tk: token, ts: t - HOUR }),
    ]);
    expect(credited).toMatchObject({ action: 'link_landing', ts: iso(now - HOUR) });
  });

  it('starts the window at each landing: a link re-opened 30 minutes before the order earns it under a 1 h window', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    await shop.settings({
      attributionWindows: { default: 3600, kinds: {}, channels: {}, campaigns: {} },
    });
    const token = await tag(shop);
    const { credited, now } = await orderAfter(shop, (who, t) => [
      landingEvent({ ...who, tk: token, ts: t - 3 * HOUR }),
      landingEvent({ ...who, tk: token, ts: t - 30 * MINUTE }),
    ]);
    expect(credited).toMatchObject({ action: 'link_landing', ts: iso(now - 30 * MINUTE) });
  });

  it('honours a genuine token for 400 days whatever the windows, and counts an older one as expired, not forged', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const now = Date.now();
    const fifteenDays = await tokenIssuedAt(shop, now - 15 * DAY);
    const tooOld = await tokenIssuedAt(shop, now - 401 * DAY);
    const forged = `${fifteenDays.slice(0, -2)}${fifteenDays.endsWith('AA') ? 'BB' : 'AA'}`;
    const [a, b, c] = [visitor(), visitor(), visitor()];
    const [oa, ob] = [uid('order'), uid('order')];
    await shop.send([
      landingEvent({ ...a, tk: fifteenDays, ts: now - HOUR }),
      checkoutEvent({ ...a, o: oa, ts: now }),
      landingEvent({ ...b, tk: tooOld, ts: now - HOUR }),
      checkoutEvent({ ...b, o: ob, ts: now }),
      landingEvent({ ...c, tk: forged, ts: now - HOUR }),
    ]);
    expect((await shop.detail(oa)).credited).toMatchObject({ action: 'link_landing', conversation: 'old' });
    expect((await shop.detail(ob)).credited).toBeNull();
    const chat = await shop.get<ChatStatsResponse>('/v1/stats/chat');
    expect([chat.invalidLandings, chat.expiredLandings]).toEqual([1, 1]);
  });

  it('flags a forwarded landing and credits it too', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop);
    const [first, second] = [visitor(), visitor()];
    const order = uid('order');
    const now = Date.now();
    await shop.send([
      landingEvent({ ...second, tk: token, ts: now - HOUR }),
      checkoutEvent({ ...second, o: order, ts: now }),
    ]);
    expect((await shop.detail(order)).credited).toMatchObject({ forwarded: false });
    // A landing that happened earlier arrives late: that visitor was the link's first.
    await shop.send([landingEvent({ ...first, tk: token, ts: now - 2 * HOUR })]);
    expect((await shop.detail(order)).credited).toMatchObject({ action: 'link_landing', forwarded: true });
  });
});

describe('chat stats', () => {
  it('keeps contacts and the conversion rate on the first currency row, money per currency', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const [ta, tb] = [await tag(shop, 'c-1'), await tag(shop, 'c-2')];
    const [a, b] = [visitor(), visitor()];
    const now = Date.now();
    await shop.send([
      landingEvent({ ...a, tk: ta, ts: now - HOUR }),
      checkoutEvent({ ...a, ts: now, val: 40, cur: 'EUR' }),
      landingEvent({ ...b, tk: tb, ts: now - HOUR }),
      checkoutEvent({ ...b, ts: now, val: 50, cur: 'USD' }),
    ]);
    const chat = await shop.get<ChatStatsResponse>('/v1/stats/chat?groupBy=channel');
    expect(chat.rows).toEqual([
      expect.objectContaining({
        group: 'whatsapp',
        contacts: 2,
        conversionRate: 1,
        transactionsAfterContact: 1,
        turnoverAfterContact: 40,
        currency: 'EUR',
      }),
      expect.objectContaining({
        group: 'whatsapp',
        contacts: 0,
        conversionRate: null,
        transactionsAfterContact: 1,
        turnoverAfterContact: 50,
        currency: 'USD',
      }),
    ]);
    expect(chat.rows.reduce((sum, r) => sum + r.contacts, 0)).toBe(2);
  });

  it("answers turnover per production hour for agents, from the agents' hours in the range", async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop);
    const who = visitor();
    const now = Date.now();
    await shop.send([landingEvent({ ...who, tk: token, ts: now - HOUR }), checkoutEvent({ ...who, ts: now, val: 80 })]);
    const put = (date: string, hours: unknown) =>
      callWithKey(shop.readKey, '/v1/agents/ann/hours', { method: 'PUT', body: { date, hours } });
    expect((await put(dateOf(now), 3)).status).toBe(200);
    expect((await put(dateOf(now), 4)).status).toBe(200);
    for (const hours of [-1, 25, 'x']) expect((await put(dateOf(now), hours)).status).toBe(400);
    expect((await put('2026-02-30', 2)).status).toBe(400);
    const chat = await shop.get<ChatStatsResponse>('/v1/stats/chat?groupBy=agent');
    expect(chat.rows).toEqual([
      expect.objectContaining({ group: 'ann', turnoverAfterContact: 80, turnoverPerHour: 20 }),
    ]);
  });
});

describe('client clocks', () => {
  it("corrects a batch's events by the device's clock offset, so their order survives a clock 1 h fast", async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    const now = Date.now();
    const fast = HOUR;
    await shop.send(
      [
        widgetEvent({ ...who, k: 'popup', w: 'pop', ts: now + fast - 3 * MINUTE }),
        widgetEvent({ ...who, k: 'block', w: 'hero', ts: now + fast - MINUTE }),
        checkoutEvent({ ...who, o: order, ts: now + fast }),
      ],
      now + fast,
    );
    const detail = await shop.detail(order);
    expect(detail.credited).toMatchObject({ action: 'block_click', id: 'hero' });
    expect(Math.abs(Date.parse(detail.ts) - now)).toBeLessThan(MINUTE);
  });

  it('lets a corrected device interaction come before a server-only order, even when the clock is a few minutes fast', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    const now = Date.now();
    await shop.send([widgetEvent({ ...who, ts: now + 3 * MINUTE - 10_000 })], now + 3 * MINUTE);
    const detail = await shop.order({ orderId: order, value: 20, currency: 'EUR', visitorId: who.v, ts: now });
    expect(detail.credited).toMatchObject({ action: 'popup_click' });
  });

  it('accepts a batch from a clock 30 days slow and refuses one off by more than 400 days', async () => {
    const shop = await createShop();
    const who = visitor();
    const now = Date.now();
    const slow = 30 * DAY;
    await shop.send([widgetEvent({ ...who, t: 'instance', ts: now - slow })], now - slow);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ instances: 1 })]);
    const res = await postEvents(shop.writeKey, [widgetEvent({ ts: now - 401 * DAY })], { sentAt: now - 401 * DAY });
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: 'invalid_clock' }] });
  });
});

describe('local days', () => {
  it('counts in the site time zone, re-buckets on a change, and refuses a bound off a local midnight', async () => {
    const shop = await createShop({ timezone: 'America/Los_Angeles' });
    const who = visitor();
    // 02:00 UTC is the previous evening in Los Angeles.
    const utcDay = daysAgo(3);
    await shop.send([widgetEvent({ ...who, t: 'instance', ts: utcDay + 2 * HOUR })]);
    const daily = async () =>
      (
        await shop.get<StatsEnvelope<DailyStatsRow>>(
          `/v1/stats/daily?from=${dateOf(utcDay - DAY)}&to=${dateOf(utcDay)}`,
        )
      ).rows
        .filter((r) => r.instances > 0)
        .map((r) => r.date);
    expect(await daily()).toEqual([dateOf(utcDay - DAY)]);
    await shop.settings({ timezone: 'Europe/Paris' });
    expect(await daily()).toEqual([dateOf(utcDay)]);
    const res = await call(`/v1/stats/widgets?from=${iso(utcDay)}`, {
      headers: { Authorization: `Bearer ${shop.readKey}` },
    });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain('Europe/Paris');
    const bad = await callWithKey(shop.readKey, '/v1/settings', { method: 'PUT', body: { timezone: 'Mars/Olympus' } });
    expect(bad.status).toBe(400);
    expect((await shop.get<{ timezone: string }>('/v1/settings')).timezone).toBe('Europe/Paris');
  });
});

describe('credit policy "first" and refunds', () => {
  it('frees the interaction of a refunded first order for the next order', async () => {
    const shop = await createShop();
    await shop.settings({ creditPolicy: 'first' });
    const who = visitor();
    const [first, second] = [uid('order'), uid('order')];
    const T = daysAgo(1);
    await shop.send([
      widgetEvent({ ...who, ts: T }),
      checkoutEvent({ ...who, o: first, ts: T + HOUR }),
      checkoutEvent({ ...who, o: second, ts: T + 2 * HOUR }),
    ]);
    expect((await shop.detail(second)).credited).toBeNull();
    await shop.order({ orderId: first, value: 12.5, currency: 'EUR', status: 'refunded' });
    expect((await shop.detail(second)).credited).toMatchObject({ action: 'popup_click' });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1, value: 12.5 })]);
  });
});
