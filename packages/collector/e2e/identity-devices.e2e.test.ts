import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { orderDetail } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

const visitorId = (page: Page) =>
  page.evaluate(() => new Promise<string>((resolve) => window.lasttouch('visitorId', resolve)));
const identify = (page: Page, customerId: string) =>
  page.evaluate((id) => {
    window.lasttouch('identify', id);
    window.lasttouch('flush');
  }, customerId);

describe('one customer on two devices, in Chromium (issue 18)', () => {
  const suite = useSuite();

  it('credits an order placed on the laptop to the pop-up clicked on the phone, once both identified', async () => {
    const shop = await suite.newShop();
    const phone = await suite.open(await suite.newVisitor(), shop);
    const laptop = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'devices-1' });
    const [phoneId, laptopId] = [await visitorId(phone), await visitorId(laptop)];
    expect(phoneId).not.toBe(laptopId);

    await identify(phone, 'cust-1');
    await phone.click('#popup-cta');
    await phone.evaluate(() => window.lasttouch('flush'));
    await identify(laptop, 'cust-1');
    await laptop.click('#checkout');

    const order = await orderDetail(suite.api, shop, 'devices-1', (o) => o.credited !== null);
    expect(order.visitorId).toBe(laptopId);
    expect(order.credited).toMatchObject({ action: 'popup_click', id: 'spring-sale', visitorId: phoneId });
  });

  it('re-attributes the order when the phone identifies after it was placed, and never credits a stranger', async () => {
    const shop = await suite.newShop();
    const phone = await suite.open(await suite.newVisitor(), shop);
    const stranger = await suite.open(await suite.newVisitor(), shop);
    const laptop = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'devices-2' });
    await phone.click('#popup-cta');
    await stranger.click('#popup2-cta');
    await identify(stranger, 'cust-2');
    await Promise.all([phone, stranger].map((p) => p.evaluate(() => window.lasttouch('flush'))));
    await identify(laptop, 'cust-1');
    await laptop.click('#checkout');
    // Nothing of cust-1's is known yet: the laptop never touched a widget.
    const before = await orderDetail(suite.api, shop, 'devices-2');
    expect(before.credited).toBeNull();

    // The phone logs in later: the link is learned after its click and the order were stored.
    await identify(phone, 'cust-1');
    const after = await orderDetail(suite.api, shop, 'devices-2', (o) => o.credited !== null);
    expect(after.credited).toMatchObject({
      action: 'popup_click',
      id: 'spring-sale',
      visitorId: await visitorId(phone),
    });
    expect(after.candidates.map((c) => c.visitorId)).not.toContain(await visitorId(stranger));
  });
});
