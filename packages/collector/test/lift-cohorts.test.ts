import type { LiftResponse, WidgetEvent } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createShop, HOUR, visitor } from './attribution-helpers.js';
import { postEvents, settled, uid } from './helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const eligible = (who: { v: string; s: string }, h: 0 | 1, fields: Partial<WidgetEvent> = {}): WidgetEvent =>
  widgetEvent({ ...who, t: 'eligible', h, c: 'spring', ...fields });

describe('holdout cohorts and lift', () => {
  it('counts eligible visitors, converters, orders and value per cohort and group', async () => {
    const shop = await createShop();
    const now = Date.now();
    const exposed = [visitor(), visitor(), visitor(), visitor()];
    const held = [visitor(), visitor()];
    await shop.send([
      ...exposed.map((who) => eligible(who, 0, { ts: now - 2 * HOUR })),
      ...held.map((who) => eligible(who, 1, { ts: now - 2 * HOUR })),
      // Two exposed converters (one buying twice), one held-out converter.
      checkoutEvent({ ...exposed[0]!, ts: now - HOUR, val: 10, h: 0 }),
      checkoutEvent({ ...exposed[0]!, ts: now, val: 5, h: 0 }),
      checkoutEvent({ ...exposed[1]!, ts: now, val: 20, h: 0 }),
      checkoutEvent({ ...held[0]!, ts: now, val: 30, h: 1 }),
      // An order before eligibility does not count.
      checkoutEvent({ ...exposed[2]!, ts: now - 3 * HOUR, val: 99, h: 0 }),
    ]);
    const lift = await shop.get<LiftResponse>('/v1/stats/lift?groupBy=campaign');
    expect(lift.groupBy).toBe('campaign');
    expect(lift.rows).toEqual([
      {
        group: 'spring',
        currency: 'EUR',
        exposed: { visitors: 4, converters: 2, orders: 3, value: 35, conversionRate: 0.5, revenuePerVisitor: 8.75 },
        holdout: { visitors: 2, converters: 1, orders: 1, value: 30, conversionRate: 0.5, revenuePerVisitor: 15 },
        lift: 0,
        low: expect.any(Number),
        high: expect.any(Number),
        significant: false,
      },
    ]);
    const site = await shop.get<LiftResponse>('/v1/stats/lift');
    expect(site.rows).toEqual([expect.objectContaining({ group: 'site' })]);
    const widgets = await shop.get<LiftResponse>('/v1/stats/lift?groupBy=widget');
    expect(widgets.rows).toEqual([expect.objectContaining({ group: 'spring-sale' })]);
  });

  it('never credits a held-out visitor’s order to a widget: its widget events are refused', async () => {
    const shop = await createShop();
    const who = visitor();
    const order = uid('order');
    const now = Date.now();
    const res = await postEvents(shop.writeKey, [
      widgetEvent({ ...who, t: 'click', h: 1, ts: now - HOUR }),
      widgetEvent({ ...who, t: 'instance', h: 1, ts: now - HOUR }),
      eligible(who, 1, { ts: now - HOUR }),
      checkoutEvent({ ...who, o: order, ts: now, h: 1 }),
    ]);
    expect(await res.json()).toMatchObject({
      accepted: 2,
      rejected: [
        { index: 0, code: 'held_out' },
        { index: 1, code: 'held_out' },
      ],
    });
    await settled();
    expect((await shop.detail(order)).credited).toBeNull();
    expect((await shop.widgets()).rows).toEqual([]);
  });

  it('counts the same events once whatever their order, duplicates and lateness', async () => {
    const now = Date.now();
    const [a, b, c] = [visitor(), visitor(), visitor()];
    const events = [
      eligible(a, 0, { ts: now - 3 * HOUR }),
      eligible(a, 0, { ts: now - 2 * HOUR }),
      eligible(b, 1, { ts: now - 2 * HOUR }),
      eligible(c, 0, { ts: now - 2 * HOUR }),
      checkoutEvent({ ...a, ts: now, val: 10 }),
      checkoutEvent({ ...b, ts: now, val: 20 }),
      checkoutEvent({ ...c, ts: now - 4 * HOUR, val: 5 }),
    ];
    const read = async (order: number[]) => {
      const shop = await createShop();
      for (const i of order) await shop.send([events[i]!]);
      await shop.send([events[0]!, events[4]!]);
      return (await shop.get<LiftResponse>('/v1/stats/lift?groupBy=campaign')).rows;
    };
    const inOrder = await read([0, 1, 2, 3, 4, 5, 6]);
    expect(inOrder[0]).toMatchObject({
      exposed: { visitors: 2, converters: 1, orders: 1 },
      holdout: { visitors: 1, converters: 1 },
    });
    expect(await read([6, 5, 4, 3, 2, 1, 0])).toEqual(inOrder);
    expect(await read([4, 1, 6, 2, 0, 5, 3])).toEqual(inOrder);
  });
});
