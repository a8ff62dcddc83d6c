import { LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createShop, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { callWithKey, dumpDatabase, settled, tableCounts, uid } from './helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';

const statsOf = async (shop: Shop) => ({
  widgets: (await shop.widgets()).rows,
  campaigns: (await shop.get<{ rows: unknown[] }>('/v1/stats/campaigns')).rows,
  chat: (await shop.get<{ rows: unknown[]; totals: unknown[] }>('/v1/stats/chat')).rows,
  top: (await shop.get<{ rows: unknown[] }>('/v1/stats/top-actions')).rows,
  daily: (await shop.get<{ rows: unknown[] }>('/v1/stats/daily')).rows,
});

const erase = (shop: Shop, path: string) => callWithKey(shop.readKey, path, { method: 'DELETE' });

describe('erasure', () => {
  it('removes every trace of a visitor, keeps past stats, and answers 204 again', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const tagged = await callWithKey(shop.agentKey, '/v1/links', {
      method: 'POST',
      body: { url: `${ORIGIN}/p`, conversation: 'c-1', channel: 'sms' },
    });
    const token = new URL((await tagged.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
    const visitorId = `erase${crypto.randomUUID().replaceAll('-', '')}`;
    const who = { v: visitorId, s: uid('session') };
    const order = uid('order');
    const now = Date.now();
    await shop.send([
      widgetEvent({ ...who, t: 'instance', c: 'spring', ts: now - 2 * HOUR }),
      widgetEvent({ ...who, c: 'spring', ts: now - 2 * HOUR }),
      landingEvent({ ...who, tk: token, ts: now - HOUR }),
      checkoutEvent({ ...who, o: order, ts: now }),
    ]);
    await shop.order({ orderId: order, value: 12.5, currency: 'EUR', visitorId, customerId: 'c-77' });
    const before = await statsOf(shop);
    expect(await dumpDatabase()).toContain(visitorId);

    expect((await erase(shop, `/v1/visitors/${visitorId}`)).status).toBe(204);
    await settled();
    expect(await dumpDatabase()).not.toContain(visitorId);
    expect(await statsOf(shop)).toEqual(before);
    expect((await shop.detail(order)).visitorId).toBeNull();
    // Stats stay put even when a settings change re-attributes the site.
    await shop.settings({ creditPolicy: 'first' });
    await shop.settings({ creditPolicy: 'every' });
    expect(await statsOf(shop)).toEqual(before);

    const counts = await tableCounts();
    expect((await erase(shop, `/v1/visitors/${visitorId}`)).status).toBe(204);
    expect(await tableCounts()).toEqual(counts);
  });

  it("erases a customer: every device tied to it, and the customer's own links", async () => {
    const shop = await createShop();
    const [phone, laptop, other] = [visitor(), visitor(), visitor()];
    const customer = uid('customer');
    const now = Date.now();
    await shop.send([
      widgetEvent({ ...phone, ts: now - HOUR }),
      { id: uid('ev'), t: 'identify', ...phone, ts: now - HOUR, p: '/', cu: customer },
      { id: uid('ev'), t: 'identify', ...laptop, ts: now - HOUR, p: '/', cu: customer },
      checkoutEvent({ ...laptop, ts: now }),
      widgetEvent({ ...other, ts: now - HOUR }),
    ]);
    const before = await statsOf(shop);
    expect((await erase(shop, `/v1/customers/${encodeURIComponent(customer)}`)).status).toBe(204);
    await settled();
    const dump = await dumpDatabase();
    expect(dump).not.toContain(phone.v);
    expect(dump).not.toContain(laptop.v);
    expect(dump).toContain(other.v);
    expect(await statsOf(shop)).toEqual(before);
    expect((await erase(shop, `/v1/customers/${encodeURIComponent(customer)}`)).status).toBe(204);
  });

  it('treats events of an erased visitor that arrive later as new', async () => {
    const shop = await createShop();
    const who = visitor();
    await shop.send([widgetEvent({ ...who })]);
    await erase(shop, `/v1/visitors/${who.v}`);
    await shop.send([widgetEvent({ ...who })]);
    expect(await dumpDatabase()).toContain(who.v);
  });

  it('refuses an empty, oversized or malformed id with a 400 and changes nothing', async () => {
    const shop = await createShop();
    const counts = await tableCounts();
    for (const path of [`/v1/visitors/${'x'.repeat(129)}`, '/v1/visitors/a%20b', `/v1/customers/${'y'.repeat(129)}`]) {
      expect((await erase(shop, path)).status).toBe(400);
    }
    expect((await erase(shop, '/v1/visitors/')).status).toBe(404);
    expect((await callWithKey(shop.writeKey, '/v1/visitors/abc', { method: 'DELETE' })).status).toBe(403);
    expect(await tableCounts()).toEqual(counts);
  });
});
