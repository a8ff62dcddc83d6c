/**
 * Issue 19: integrity under a public write key. Anyone can read the write key in a storefront's
 * page source, so nothing sent with it may move what the merchant's server confirmed (finding 1);
 * wildcard origins match as a merchant expects (finding 7). Each test failed before the fix.
 */
import type { ChatStatsResponse, StatsEnvelope } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createShop, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { callWithKey, postEvents, settled } from './helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

type Row = Record<string, unknown>;

/** Orders and value credited per widget: what an attacker wants to move (its own clicks count as clicks). */
const credit = (rows: Row[]) =>
  rows
    .filter((r) => (r.orders as number) > 0)
    .map((r) => ({ id: r.id, orders: r.orders, value: r.value, currency: r.currency }));

/** Every number an order moves: the order itself, credit per widget, top actions, site totals. */
async function merchantView(shop: Shop, orderId: string) {
  const { sources: _, ...order } = await shop.detail(orderId);
  return {
    order,
    credit: credit((await shop.widgets()).rows),
    verified: credit((await shop.widgets('?verified=true')).rows),
    topActions: (await shop.get<StatsEnvelope<Row>>('/v1/stats/top-actions')).rows,
    totals: (await shop.get<ChatStatsResponse>('/v1/stats/chat')).totals,
  };
}

/** A visitor's click on `widget`, then an hour later its checkout in EUR. */
const clickThenCheckout = (
  who: { v: string; s: string },
  widget: string,
  order: { o: string; val: number; ts: number },
) => [widgetEvent({ ...who, w: widget, ts: order.ts - HOUR }), checkoutEvent({ ...who, ...order, cur: 'EUR' })];

describe('a server-confirmed order cannot be taken over with the write key', () => {
  it('keeps order 1001 on the buyer and the real pop-up after a forged click and an earlier SDK checkout', async () => {
    const shop = await createShop();
    const buyer = visitor();
    const attacker = visitor();
    const now = Date.now();
    await shop.send(clickThenCheckout(buyer, 'real-popup', { o: '1001', val: 500, ts: now - HOUR }));
    const confirmed = await shop.order({ orderId: '1001', value: 500, currency: 'EUR', visitorId: buyer.v });
    expect(confirmed).toMatchObject({ visitorId: buyer.v, verified: true, credited: { id: 'real-popup' } });
    const before = await merchantView(shop, '1001');

    // The attack: only the public write key, a click on another widget and a checkout of the
    // same order id, both earlier than the buyer's.
    await shop.send(clickThenCheckout(attacker, 'attacker-widget', { o: '1001', val: 500, ts: now - 3 * HOUR }));
    const after = await merchantView(shop, '1001');
    expect(after.order).toMatchObject({
      orderId: '1001',
      visitorId: buyer.v,
      verified: true,
      value: 500,
      credited: { id: 'real-popup' },
    });
    expect(after.credit).toEqual([{ id: 'real-popup', orders: 1, value: 500, currency: 'EUR' }]);
    expect(after).toEqual(before);
    console.log(
      '[robustness] integrity: order takeover attempt (forged click + earlier SDK checkout of 1001): refused, 0 stats moved',
    );
  });

  it('keeps the buyer when the forged checkout races in before the store confirms', async () => {
    const shop = await createShop();
    const buyer = visitor();
    const attacker = visitor();
    const now = Date.now();
    await shop.send([
      ...clickThenCheckout(buyer, 'real-popup', { o: '1002', val: 80, ts: now - HOUR }),
      ...clickThenCheckout(attacker, 'attacker-widget', { o: '1002', val: 80, ts: now - 3 * HOUR }),
    ]);
    // Two browsers claim the order: until the store says whose it is, nobody gets the credit.
    expect(await shop.detail('1002')).toMatchObject({ verified: false, credited: null });
    const confirmed = await shop.order({ orderId: '1002', value: 80, currency: 'EUR', visitorId: buyer.v });
    expect(confirmed).toMatchObject({ visitorId: buyer.v, verified: true, credited: { id: 'real-popup' } });
  });

  it('lets no checkout of a confirmed order move a number, whatever its visitor, time, value or currency', async () => {
    const shop = await createShop();
    const buyer = visitor();
    const now = Date.now();
    await shop.send([widgetEvent({ ...buyer, w: 'real-popup', ts: now - 2 * HOUR })]);
    await shop.order({ orderId: '2001', value: 120, currency: 'EUR', visitorId: buyer.v, ts: now - HOUR });
    const before = await merchantView(shop, '2001');
    // Each from another visitor with a click of its own: earlier than the order, just after it,
    // weeks before; another value, another currency.
    const attempts = [
      { ts: now - 3 * HOUR, val: 120, cur: 'EUR' },
      { ts: now - HOUR + 1, val: 1, cur: 'USD' },
      { ts: now - 5 * HOUR, val: 999, cur: 'EUR' },
      { ts: now - 20 * 86_400_000, val: 120, cur: 'EUR' },
    ];
    for (const a of attempts) {
      const who = visitor();
      await postEvents(shop.writeKey, [
        widgetEvent({ ...who, w: 'attacker-widget', ts: a.ts - 1000 }),
        checkoutEvent({ ...who, o: '2001', val: a.val, cur: a.cur, ts: a.ts }),
      ]);
    }
    // The buyer's own visitor id in a forged checkout: the order's visitor and time are the
    // server's, and its value too.
    await postEvents(shop.writeKey, [
      checkoutEvent({ v: buyer.v, s: 'forged', o: '2001', val: 1, ts: now - 9 * HOUR }),
    ]);
    await settled();
    const after = await merchantView(shop, '2001');
    expect(after.order).toMatchObject({
      visitorId: buyer.v,
      value: 120,
      currency: 'EUR',
      credited: { id: 'real-popup' },
    });
    expect(after).toEqual(before);
  });
});

describe('wildcard origins', () => {
  it('https://*.shop.example admits its subdomains for events and tagged links, never the bare suffix or a look-alike', async () => {
    const shop = await createShop({ allowedOrigins: ['https://*.shop.example'] });
    const events = async (origin: string) => (await postEvents(shop.writeKey, [widgetEvent()], { origin })).status;
    expect(await events('https://de.shop.example')).toBe(202);
    expect(await events('https://www.eu.shop.example')).toBe(202);
    for (const origin of [
      'https://shop.example',
      'https://evilshop.example',
      'https://de.shop.example.evil.example',
      'http://de.shop.example',
    ]) {
      expect(await events(origin), origin).toBe(403);
    }
    const link = async (url: string) =>
      (await callWithKey(shop.agentKey, '/v1/links', { body: { url, conversation: 'c-1', channel: 'sms' } })).status;
    expect(await link('https://de.shop.example/p/1')).toBe(201);
    expect(await link('https://evilshop.example/p/1')).toBe(400);
    expect(await link('https://shop.example/p/1')).toBe(400);
  });

  it('refuses a * anywhere else with a 400, and a wildcard over one label', async () => {
    const shop = await createShop();
    for (const origin of ['*', 'https://*', 'https://*.example', 'https://shop.*.example', 'https://*shop.example']) {
      const res = await callWithKey(shop.readKey, '/v1/settings', {
        method: 'PUT',
        body: { allowedOrigins: [origin] },
      });
      expect(res.status, origin).toBe(400);
    }
    const settings = await shop.get<{ allowedOrigins: string[] }>('/v1/settings');
    expect(settings.allowedOrigins).toEqual([]);
  });
});
