import { describe, expect, it } from 'vitest';
import { orderDetail, widget, widgetReaches } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

describe('widgets in a real browser', () => {
  const suite = useSuite();

  it('credits an order to a clicked pop-up and counts instances and clicks once per session', async () => {
    const shop = await suite.newShop();
    const page = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'w-1', value: '40' });
    await widgetReaches(suite.api, shop, 'spring-sale', { instances: 1 });
    await page.click('#popup-cta');
    await page.click('#popup-cta');
    await page.click('#checkout');
    const order = await orderDetail(suite.api, shop, 'w-1', (o) => o.credited !== null);
    expect(order.credited).toMatchObject({ action: 'popup_click', id: 'spring-sale', campaign: 'spring' });
    expect(order.value).toBe(40);
    const counts = await widgetReaches(suite.api, shop, 'spring-sale', { orders: 1 });
    // The pointer rests on the pop-up after the clicks, so a hover may be counted too; it earns nothing here.
    expect(counts).toMatchObject({ instances: 1, clicks: 1, dismisses: 0, orders: 1 });
  });

  it('gives no credit to a dismissed pop-up and counts the dismiss', async () => {
    const shop = await suite.newShop();
    const page = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'w-2' });
    await widgetReaches(suite.api, shop, 'spring-sale', { instances: 1 });
    await page.click('#popup-close-icon');
    await page.click('#checkout');
    const order = await orderDetail(suite.api, shop, 'w-2');
    await widgetReaches(suite.api, shop, 'spring-sale', { dismisses: 1 });
    expect(order.credited).toBeNull();
    expect(await widget(suite.api, shop, 'spring-sale')).toMatchObject({ clicks: 0, dismisses: 1, orders: 0 });
  });

  it('credits a hovered notification but not a hovered pop-up', async () => {
    const shop = await suite.newShop();
    const notified = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'w-3' });
    await notified.hover('#notification');
    await widgetReaches(suite.api, shop, 'free-shipping', { hovers: 1 });
    await notified.mouse.move(990, 790);
    await notified.click('#checkout');
    const credited = await orderDetail(suite.api, shop, 'w-3', (o) => o.credited !== null);
    expect(credited.credited).toMatchObject({ action: 'notification_hover', id: 'free-shipping' });

    const hovering = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'w-4' });
    await hovering.hover('#popup');
    await widgetReaches(suite.api, shop, 'spring-sale', { hovers: 1 });
    await hovering.mouse.move(990, 790);
    await hovering.click('#checkout');
    expect((await orderDetail(suite.api, shop, 'w-4')).credited).toBeNull();
  });

  it('credits the later of a block click and a pop-up click', async () => {
    const shop = await suite.newShop();
    const page = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'w-5' });
    await page.locator('#block').scrollIntoViewIfNeeded();
    await widgetReaches(suite.api, shop, 'hero', { instances: 1 });
    await page.click('#block-cta');
    await widgetReaches(suite.api, shop, 'hero', { clicks: 1 });
    await page.click('#popup2-cta');
    await page.click('#checkout');
    const order = await orderDetail(suite.api, shop, 'w-5', (o) => o.credited !== null);
    expect(order.credited).toMatchObject({ action: 'popup_click', id: 'last-chance' });
    expect(order.candidates.map((c) => c.id)).toContain('hero');
  });

  it('keeps a click made right before navigating away (beacon on pagehide)', async () => {
    const shop = await suite.newShop();
    const page = await suite.open(await suite.newVisitor(), shop);
    await page.click('#popup-cta');
    await Promise.all([page.waitForURL(/other\.html/), page.click('#leave')]);
    await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 });
  });

  it('merges a server-side order confirmation with the SDK checkout into one verified order', async () => {
    const shop = await suite.newShop();
    const page = await suite.open(await suite.newVisitor(), shop, undefined, undefined, { order: 'w-6', value: '25' });
    await page.click('#popup-cta');
    await page.click('#checkout');
    await orderDetail(suite.api, shop, 'w-6');
    await suite.api.post('/v1/orders', shop.readKey, { orderId: 'w-6', value: 26.5, currency: 'EUR' });
    const order = await orderDetail(suite.api, shop, 'w-6', (o) => o.verified);
    expect(order).toMatchObject({ verified: true, value: 26.5, currency: 'EUR' });
    expect(order.credited).toMatchObject({ id: 'spring-sale' });
    expect(await widget(suite.api, shop, 'spring-sale')).toMatchObject({ orders: 1 });
  });
});
