import { type ChatStatsResponse, LINK_PARAM, type OrderDetail, type Settings } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createShop, DAY, dateOf, daysAgo, HOUR, iso, type Shop, visitor } from './attribution-helpers.js';
import { call, uid } from './helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const T = daysAgo(10) + 12 * HOUR;
const totals = async (shop: Shop, query = '') =>
  (await shop.get<ChatStatsResponse>(`/v1/stats/chat?from=${dateOf(T - DAY)}&to=${dateOf(T + DAY)}${query}`)).totals;
const windows = (patch: Partial<Settings['attributionWindows']>): Partial<Settings> => ({
  attributionWindows: { default: 14 * 86_400, kinds: {}, channels: {}, campaigns: {}, ...patch },
});

describe('attribution scenarios', () => {
  it('leaves an order placed before any interaction unattributed, still in site totals', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    await shop.send([checkoutEvent({ ...who, o: order, ts: T }), widgetEvent({ ...who, t: 'click', ts: T + 1 })]);
    const detail = await shop.get<OrderDetail>(`/v1/orders/${order}`);
    expect(detail).toMatchObject({ orderId: order, value: 12.5, verified: false, credited: null, candidates: [] });
    const widgets = await shop.widgets();
    expect(widgets.rows).toEqual([
      expect.objectContaining({ id: 'spring-sale', clicks: 1, orders: 0, currency: null }),
    ]);
    expect(await totals(shop)).toEqual([
      { websiteTransactions: 1, websiteTurnover: 12.5, websiteAverageOrderValue: 12.5, currency: 'EUR' },
    ]);
  });

  it('credits a popup click and counts the order on the widget', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    await shop.send([
      widgetEvent({ ...who, t: 'instance', ts: T - 2000, c: 'spring' }),
      widgetEvent({ ...who, t: 'click', ts: T - 1000, c: 'spring' }),
      checkoutEvent({ ...who, o: order, ts: T, val: 40 }),
    ]);
    const detail = await shop.get<OrderDetail>(`/v1/orders/${order}`);
    expect(detail.credited).toEqual({
      action: 'popup_click',
      kind: 'popup',
      id: 'spring-sale',
      campaign: 'spring',
      sequence: null,
      channel: null,
      conversation: null,
      ts: iso(T - 1000),
      visitorId: who.v,
    });
    expect((await shop.widgets()).rows).toEqual([
      {
        kind: 'popup',
        id: 'spring-sale',
        campaign: 'spring',
        sequence: null,
        instances: 1,
        clicks: 1,
        hovers: 0,
        dismisses: 0,
        orders: 1,
        value: 40,
        currency: 'EUR',
      },
    ]);
    const campaigns = await shop.get<{ rows: unknown[] }>('/v1/stats/campaigns');
    expect(campaigns.rows).toEqual([{ id: 'spring', started: 1, profiles: 1, orders: 1, value: 40, currency: 'EUR' }]);
    const top = await shop.get<{ rows: unknown[] }>('/v1/stats/top-actions');
    expect(top.rows).toEqual([{ action: 'popup_click', channel: null, orders: 1 }]);
  });

  it('gives no credit to a popup dismiss', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    await shop.send([widgetEvent({ ...who, t: 'dismiss', ts: T - 1000 }), checkoutEvent({ ...who, o: order, ts: T })]);
    expect((await shop.get<OrderDetail>(`/v1/orders/${order}`)).credited).toBeNull();
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ dismisses: 1, clicks: 0, orders: 0 })]);
  });

  it('credits a notification hover but never a popup hover', async () => {
    const shop = await createShop();
    const [a, b] = [visitor(), visitor()];
    const [oa, ob] = [uid('order'), uid('order')];
    await shop.send([
      widgetEvent({ ...a, t: 'hover', k: 'notification', w: 'ship-free', ts: T - 1000 }),
      checkoutEvent({ ...a, o: oa, ts: T }),
      widgetEvent({ ...b, t: 'hover', k: 'popup', w: 'spring-sale', ts: T - 1000 }),
      checkoutEvent({ ...b, o: ob, ts: T }),
    ]);
    expect((await shop.get<OrderDetail>(`/v1/orders/${oa}`)).credited).toMatchObject({
      action: 'notification_hover',
      id: 'ship-free',
    });
    expect((await shop.get<OrderDetail>(`/v1/orders/${ob}`)).credited).toBeNull();
    const rows = (await shop.widgets()).rows;
    expect(rows).toContainEqual(expect.objectContaining({ id: 'ship-free', hovers: 1, orders: 1 }));
    expect(rows).toContainEqual(expect.objectContaining({ id: 'spring-sale', hovers: 1, orders: 0 }));
  });

  it('credits a block click', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    await shop.send([
      widgetEvent({ ...who, t: 'click', k: 'block', w: 'hero', ts: T - HOUR }),
      checkoutEvent({ ...who, o: order, ts: T }),
    ]);
    expect((await shop.get<OrderDetail>(`/v1/orders/${order}`)).credited).toMatchObject({
      action: 'block_click',
      id: 'hero',
    });
  });

  it('takes an interaction exactly at the window limit and refuses one ms past it', async () => {
    const shop = await createShop();
    await shop.settings(windows({ kinds: { popup: 3600 } }));
    const [a, b] = [visitor(), visitor()];
    const [oa, ob] = [uid('order'), uid('order')];
    await shop.send([
      widgetEvent({ ...a, ts: T - HOUR }),
      checkoutEvent({ ...a, o: oa, ts: T }),
      widgetEvent({ ...b, ts: T - HOUR - 1 }),
      checkoutEvent({ ...b, o: ob, ts: T }),
    ]);
    expect((await shop.get<OrderDetail>(`/v1/orders/${oa}`)).credited).not.toBeNull();
    const lost = await shop.get<OrderDetail>(`/v1/orders/${ob}`);
    expect(lost.credited).toBeNull();
    expect(lost.candidates).toEqual([
      expect.objectContaining({ lost: 'outside its attribution window (3600 seconds)' }),
    ]);
  });

  it('lets a campaign window beat the kind window', async () => {
    const shop = await createShop();
    await shop.settings(windows({ kinds: { popup: 60 }, campaigns: { spring: 7200 } }));
    const [a, b] = [visitor(), visitor()];
    const [oa, ob] = [uid('order'), uid('order')];
    await shop.send([
      widgetEvent({ ...a, ts: T - HOUR, c: 'spring' }),
      checkoutEvent({ ...a, o: oa, ts: T }),
      widgetEvent({ ...b, ts: T - HOUR, c: 'fall' }),
      checkoutEvent({ ...b, o: ob, ts: T }),
    ]);
    expect((await shop.get<OrderDetail>(`/v1/orders/${oa}`)).credited).toMatchObject({ campaign: 'spring' });
    expect((await shop.get<OrderDetail>(`/v1/orders/${ob}`)).credited).toBeNull();
  });

  it('credits three orders under "every" and only the first under "first", re-attributing on the settings change', async () => {
    const shop = await createShop();
    const who = visitor();
    const orders = [uid('order'), uid('order'), uid('order')];
    await shop.send([
      widgetEvent({ ...who, ts: T }),
      ...orders.map((o, n) => checkoutEvent({ ...who, o, ts: T + (n + 1) * HOUR, val: 10 })),
    ]);
    const credited = async () =>
      Promise.all(orders.map(async (o) => (await shop.get<OrderDetail>(`/v1/orders/${o}`)).credited !== null));
    expect(await credited()).toEqual([true, true, true]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 3, value: 30 })]);

    await shop.settings({ creditPolicy: 'first' });
    expect(await credited()).toEqual([true, false, false]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1, value: 10 })]);
    const second = await shop.get<OrderDetail>(`/v1/orders/${orders[1]}`);
    expect(second.candidates[0]?.lost).toContain(orders[0]);

    await shop.settings({ creditPolicy: 'every' });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 3, value: 30 })]);
  });

  it('breaks a tie on time by action priority and says so', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    await shop.send([
      widgetEvent({ ...who, t: 'hover', k: 'notification', w: 'ship-free', ts: T - 1000 }),
      widgetEvent({ ...who, t: 'click', k: 'popup', w: 'spring-sale', ts: T - 1000 }),
      checkoutEvent({ ...who, o: order, ts: T }),
    ]);
    const detail = await shop.get<OrderDetail>(`/v1/orders/${order}`);
    expect(detail.credited).toMatchObject({ action: 'popup_click' });
    expect(detail.candidates).toEqual([
      expect.objectContaining({
        action: 'notification_hover',
        lost: 'same time as the credited interaction, whose action ranks higher',
      }),
    ]);
  });

  it('re-attributes exactly the orders a late interaction wins', async () => {
    const shop = await createShop();
    const who = visitor();
    const [early, late] = [uid('order'), uid('order')];
    await shop.send([
      widgetEvent({ ...who, t: 'click', k: 'block', w: 'hero', ts: T - 3 * HOUR }),
      checkoutEvent({ ...who, o: early, ts: T - 2 * HOUR, val: 5 }),
      checkoutEvent({ ...who, o: late, ts: T, val: 7 }),
    ]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ id: 'hero', orders: 2, value: 12 })]);
    // An offline queue delivers a click that happened between the two orders.
    const click = widgetEvent({ ...who, t: 'click', k: 'popup', w: 'spring-sale', ts: T - HOUR });
    await shop.send([click]);
    expect((await shop.detail(early)).credited).toMatchObject({ id: 'hero' });
    expect((await shop.get<OrderDetail>(`/v1/orders/${late}`)).credited).toMatchObject({ id: 'spring-sale' });
    const rows = (await shop.widgets()).rows;
    expect(rows).toContainEqual(expect.objectContaining({ id: 'hero', orders: 1, value: 5 }));
    expect(rows).toContainEqual(expect.objectContaining({ id: 'spring-sale', orders: 1, value: 7 }));
    // Sending it again is a duplicate and changes nothing.
    await shop.send([click]);
    expect((await shop.widgets()).rows).toEqual(rows);
  });

  it('merges an order reported by the SDK and the server with different values, then a refund', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    await shop.send([widgetEvent({ ...who, ts: T - 1000 }), checkoutEvent({ ...who, o: order, ts: T, val: 12.5 })]);
    const confirmed = await shop.order({ orderId: order, value: 13, currency: 'EUR', visitorId: who.v });
    expect(confirmed).toMatchObject({ value: 13, verified: true, status: 'placed', ts: iso(T), visitorId: who.v });
    expect(confirmed.credited).toMatchObject({ action: 'popup_click' });
    expect(confirmed.sources.map((s) => [s.source, s.value])).toEqual([
      ['sdk', 12.5],
      ['server', 13],
    ]);
    // A repeat of the same confirmation is a report like any other: the latest stands, the same.
    await shop.order({ orderId: order, value: 13, currency: 'EUR', visitorId: who.v });
    expect((await shop.get<OrderDetail>(`/v1/orders/${order}`)).sources).toHaveLength(3);
    expect((await shop.widgets('?verified=true')).rows).toEqual([expect.objectContaining({ orders: 1, value: 13 })]);

    const refunded = await shop.order({ orderId: order, value: 13, currency: 'EUR', status: 'refunded' });
    expect(refunded).toMatchObject({ status: 'refunded', credited: null });
    expect(refunded.sources).toHaveLength(4);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 0, value: 0, currency: null })]);
  });

  it('counts only server-confirmed orders with verified=true', async () => {
    const shop = await createShop();
    const who = visitor();
    const [sdkOnly, confirmed] = [uid('order'), uid('order')];
    await shop.send([
      widgetEvent({ ...who, ts: T - 1000 }),
      checkoutEvent({ ...who, o: sdkOnly, ts: T }),
      checkoutEvent({ ...who, o: confirmed, ts: T + 1 }),
    ]);
    await shop.order({ orderId: confirmed, value: 12.5, currency: 'EUR' });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 2, value: 25 })]);
    expect((await shop.widgets('?verified=true')).rows).toEqual([expect.objectContaining({ orders: 1, value: 12.5 })]);
  });

  it('keeps a server-only order without visitor in totals, unattributed', async () => {
    const shop = await createShop();
    const order = uid('order');
    const detail = await shop.order({ orderId: order, value: 99.99, currency: 'USD', ts: iso(T) });
    expect(detail).toMatchObject({ visitorId: null, verified: true, credited: null, value: 99.99, ts: iso(T) });
    expect(await totals(shop, '&verified=true')).toEqual([
      { websiteTransactions: 1, websiteTurnover: 99.99, websiteAverageOrderValue: 99.99, currency: 'USD' },
    ]);
  });

  it('gives one row per currency when orders mix currencies, counters on the first only', async () => {
    const shop = await createShop();
    const [a, b] = [visitor(), visitor()];
    await shop.send([
      widgetEvent({ ...a, ts: T - 1000 }),
      checkoutEvent({ ...a, ts: T, val: 10, cur: 'EUR' }),
      widgetEvent({ ...b, ts: T - 1000 }),
      checkoutEvent({ ...b, ts: T, val: 1500, cur: 'JPY' }),
      checkoutEvent({ ...b, ts: T + 1, val: 20, cur: 'EUR' }),
    ]);
    expect((await shop.widgets()).rows).toEqual([
      expect.objectContaining({ clicks: 2, orders: 2, value: 30, currency: 'EUR' }),
      expect.objectContaining({ clicks: 0, orders: 1, value: 1500, currency: 'JPY' }),
    ]);
  });

  it('reads whole local days: a date range, or instants on local midnights', async () => {
    const shop = await createShop();
    const day = daysAgo(5);
    const who = visitor();
    await shop.send([
      widgetEvent({ ...who, t: 'instance', ts: day }),
      widgetEvent({ ...who, t: 'click', ts: day + DAY - 2 }),
      checkoutEvent({ ...who, ts: day + DAY - 1 }),
    ]);
    const read = async (from: string, to: string) => {
      const res = await shop.widgets(`?from=${from}&to=${to}`);
      return res.rows;
    };
    const hit = [expect.objectContaining({ instances: 1, clicks: 1, orders: 1 })];
    expect(await read(dateOf(day), dateOf(day))).toEqual(hit);
    expect(await read(iso(day), iso(day + DAY))).toEqual(hit);
    expect(await read(dateOf(day - DAY), dateOf(day))).toEqual(hit);
    expect(await read(dateOf(day - DAY), dateOf(day - DAY))).toEqual([]);
    expect(await read(dateOf(day + DAY), dateOf(day + DAY))).toEqual([]);
    const envelope = await shop.widgets(`?from=${dateOf(day)}&to=${dateOf(day)}`);
    expect([envelope.from, envelope.to, envelope.timezone]).toEqual([iso(day), iso(day + DAY), 'UTC']);
  });

  it('credits a tagged-link landing with its conversation and the time since the first link', async () => {
    const shop = await createShop({ allowedOrigins: ['https://shop.example'] });
    const tag = async () => {
      const res = await call('/v1/links', {
        method: 'POST',
        headers: { Authorization: `Bearer ${shop.agentKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          url: 'https://shop.example/p',
          conversation: 'c-42',
          channel: 'whatsapp',
          agent: 'ann',
        }),
      });
      return new URL(((await res.json()) as { url: string }).url).searchParams.get(LINK_PARAM)!;
    };
    const who = visitor();
    const firstLink = Date.now();
    const tokens = [await tag(), await tag()];
    const now = Date.now();
    const order = uid('order');
    await shop.send([
      landingEvent({ ...who, tk: tokens[0], ts: now + 60_000 }),
      landingEvent({ ...who, tk: tokens[1], ts: now + 2 * 60_000 }),
      checkoutEvent({ ...who, o: order, ts: now + 4 * 60_000, val: 40 }),
    ]);
    const detail = await shop.get<OrderDetail>(`/v1/orders/${order}`);
    expect(detail.credited).toMatchObject({
      action: 'link_landing',
      channel: 'whatsapp',
      conversation: 'c-42',
      forwarded: false,
    });
    const chat = await shop.get<ChatStatsResponse>(`/v1/stats/chat?groupBy=agent&to=${dateOf(now + 4 * 60_000)}`);
    expect(chat.rows).toEqual([
      expect.objectContaining({ group: 'ann', contacts: 1, transactionsAfterContact: 1, turnoverAfterContact: 40 }),
    ]);
    // From the conversation's first tagged link (issued just before `now`) to the order.
    const seconds = chat.rows[0]!.averageSecondsBeforePurchase!;
    expect(seconds).toBeGreaterThanOrEqual(240);
    expect(seconds).toBeLessThanOrEqual(Math.round((now + 4 * 60_000 - firstLink) / 1000));
    const top = await shop.get<{ rows: unknown[] }>('/v1/stats/top-actions');
    expect(top.rows).toEqual([{ action: 'link_landing', channel: 'whatsapp', orders: 1 }]);
  });

  it('refuses bad ranges and keys', async () => {
    const shop = await createShop();
    const bad = await fetchStatus(shop.readKey, '/v1/stats/widgets?from=yesterday');
    expect(bad).toBe(400);
    expect(await fetchStatus(shop.readKey, '/v1/stats/widgets?from=2026-11-02&to=2026-11-01')).toBe(400);
    expect(await fetchStatus(shop.readKey, '/v1/stats/widgets?from=2026-11-01T12:00:00Z')).toBe(400);
    expect(await fetchStatus(shop.writeKey, '/v1/stats/widgets')).toBe(403);
    expect(await fetchStatus(shop.readKey, '/v1/orders/nope')).toBe(404);
    const envelope = await shop.widgets();
    expect(Date.parse(envelope.to) - Date.parse(envelope.from)).toBe(30 * DAY);
    expect(Date.parse(envelope.to)).toBeGreaterThan(Date.now());
  });
});

async function fetchStatus(key: string, path: string): Promise<number> {
  return (await call(path, { headers: { Authorization: `Bearer ${key}` } })).status;
}
