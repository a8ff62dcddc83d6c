import type { IdentifyEvent } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createShop, HOUR, visitor } from './attribution-helpers.js';
import { dumpDatabase, uid } from './helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const identify = (who: { v: string; s: string }, customer: string, ts: number): IdentifyEvent => ({
  id: uid('ev'),
  t: 'identify',
  ...who,
  ts,
  p: '/account',
  cu: customer,
});

describe('identity across devices', () => {
  it('credits an order on the laptop to the pop-up clicked on the phone, once both identified', async () => {
    const shop = await createShop();
    const [phone, laptop] = [visitor(), visitor()];
    const customer = uid('customer-email@example.com');
    const order = uid('order');
    const now = Date.now();
    await shop.send([
      widgetEvent({ ...phone, ts: now - 2 * HOUR }),
      identify(phone, customer, now - 2 * HOUR + 1000),
      identify(laptop, customer, now - 10_000),
      checkoutEvent({ ...laptop, o: order, ts: now }),
    ]);
    expect((await shop.detail(order)).credited).toMatchObject({ action: 'popup_click', visitorId: phone.v });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1 })]);
  });

  it('credits a server order naming only the customer id to the customer’s device', async () => {
    const shop = await createShop();
    const phone = visitor();
    const customer = uid('customer');
    const order = uid('order');
    const now = Date.now();
    await shop.send([
      widgetEvent({ ...phone, k: 'block', w: 'hero', ts: now - HOUR }),
      identify(phone, customer, now - HOUR),
    ]);
    const detail = await shop.order({ orderId: order, value: 30, currency: 'EUR', customerId: customer, ts: now });
    expect(detail.credited).toMatchObject({ action: 'block_click', visitorId: phone.v });
  });

  it('ties a server order’s visitor and customer, like identify', async () => {
    const shop = await createShop();
    const [phone, laptop] = [visitor(), visitor()];
    const customer = uid('customer');
    const [first, second] = [uid('order'), uid('order')];
    const now = Date.now();
    await shop.send([widgetEvent({ ...phone, ts: now - 2 * HOUR })]);
    await shop.order({
      orderId: first,
      value: 10,
      currency: 'EUR',
      visitorId: phone.v,
      customerId: customer,
      ts: now - HOUR,
    });
    const detail = await shop.order({
      orderId: second,
      value: 10,
      currency: 'EUR',
      visitorId: laptop.v,
      customerId: customer,
      ts: now,
    });
    expect(detail.credited).toMatchObject({ visitorId: phone.v });
  });

  it('re-attributes when the link is learned late: the laptop identifies after its order was stored', async () => {
    const shop = await createShop();
    const [phone, laptop] = [visitor(), visitor()];
    const customer = uid('customer');
    const order = uid('order');
    const now = Date.now();
    await shop.send([
      widgetEvent({ ...phone, ts: now - 3 * HOUR }),
      identify(phone, customer, now - 3 * HOUR),
      checkoutEvent({ ...laptop, o: order, ts: now - HOUR }),
    ]);
    expect((await shop.detail(order)).credited).toBeNull();
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 0 })]);
    await shop.send([identify(laptop, customer, now)]);
    expect((await shop.detail(order)).credited).toMatchObject({ visitorId: phone.v });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1 })]);
  });

  it('never lets two customers share credit', async () => {
    const shop = await createShop();
    const [alice, bob] = [visitor(), visitor()];
    const order = uid('order');
    const now = Date.now();
    await shop.send([
      widgetEvent({ ...alice, ts: now - HOUR }),
      identify(alice, uid('alice'), now - HOUR),
      identify(bob, uid('bob'), now - HOUR),
      checkoutEvent({ ...bob, o: order, ts: now }),
    ]);
    expect((await shop.detail(order)).credited).toBeNull();
  });

  it('on a shared computer, gives each touch to the customer identified last before it', async () => {
    const shop = await createShop();
    const [shared, alicePhone, bobPhone] = [visitor(), visitor(), visitor()];
    const [alice, bob] = [uid('alice'), uid('bob')];
    const [aliceOrder, bobOrder] = [uid('order'), uid('order')];
    const now = Date.now();
    await shop.send([
      identify(shared, alice, now - 5 * HOUR),
      widgetEvent({ ...shared, w: 'alice-click', ts: now - 4 * HOUR }),
      identify(shared, bob, now - 3 * HOUR),
      widgetEvent({ ...shared, w: 'bob-click', ts: now - 2 * HOUR }),
      identify(alicePhone, alice, now - HOUR),
      identify(bobPhone, bob, now - HOUR),
      checkoutEvent({ ...alicePhone, o: aliceOrder, ts: now }),
      checkoutEvent({ ...bobPhone, o: bobOrder, ts: now }),
    ]);
    expect((await shop.detail(aliceOrder)).credited).toMatchObject({ id: 'alice-click' });
    expect((await shop.detail(bobOrder)).credited).toMatchObject({ id: 'bob-click' });
  });

  it('never stores a customer id in clear', async () => {
    const shop = await createShop();
    const who = visitor();
    const customer = `needle-${crypto.randomUUID()}`;
    await shop.send([identify(who, customer, Date.now())]);
    await shop.order({ orderId: uid('order'), value: 1, currency: 'EUR', customerId: customer });
    expect(await dumpDatabase()).not.toContain(customer);
  });
});
