import type { GroupStatsRow, WidgetStatsRow } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createShop, DAY, daysAgo, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { checkoutEvent, uid, widgetEvent } from './helpers.js';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const range = (from: number, to: number) => `?from=${iso(from)}&to=${iso(to)}`;
const campaigns = (shop: Shop, query: string) =>
  shop.get<{ rows: GroupStatsRow[] }>(`/v1/stats/campaigns${query}`).then((r) => r.rows);

const shown = (who: { v: string; s: string }, ts: number) =>
  widgetEvent({ ...who, ts, t: 'instance', k: 'popup', w: 'spring-sale', c: 'spring' });

describe('campaign and sequence counters over a range', () => {
  it('profiles are the distinct visitors shown one in the range, not only those first shown in it', async () => {
    const shop = await createShop();
    const day1 = daysAgo(10);
    const day5 = day1 + 4 * DAY;
    const v = uid('visitor');
    await shop.send([shown({ v, s: uid('session') }, day1 + HOUR), shown({ v, s: uid('session') }, day5 + HOUR)]);
    // Shown again the same day: still one visitor.
    await shop.send([shown({ v, s: uid('session') }, day5 + 2 * HOUR)]);

    const zero = { orders: 0, value: 0, currency: null };
    expect(await campaigns(shop, range(day5, day5 + DAY))).toEqual([
      { id: 'spring', started: 2, profiles: 1, ...zero },
    ]);
    expect(await campaigns(shop, range(day1, day5 + DAY))).toEqual([
      { id: 'spring', started: 3, profiles: 1, ...zero },
    ]);
    expect(await campaigns(shop, range(day1 + DAY, day5))).toEqual([]);
  });

  it('a session spanning midnight starts on the day it was first shown one; its visitor counts on both days', async () => {
    const shop = await createShop();
    const midnight = daysAgo(3);
    const who = visitor();
    await shop.send([shown(who, midnight + MINUTE), shown(who, midnight - MINUTE)]);

    const zero = { orders: 0, value: 0, currency: null };
    const row = (started: number) => [{ id: 'spring', started, profiles: 1, ...zero }];
    expect(await campaigns(shop, range(midnight - DAY, midnight))).toEqual(row(1));
    expect(await campaigns(shop, range(midnight, midnight + DAY))).toEqual(row(0));
    expect(await campaigns(shop, range(midnight - DAY, midnight + DAY))).toEqual(row(1));
  });
});

describe('a subject whose orders mix currencies', () => {
  it('has one row per currency with its counters on the first row only, so column sums are right', async () => {
    const shop = await createShop();
    const ts = Date.now() - HOUR;
    const [eur, usd] = [visitor(), visitor()];
    const popup = { k: 'popup', w: 'spring-sale', c: 'spring' } as const;
    await shop.send([
      widgetEvent({ ...eur, ...popup, ts, t: 'instance' }),
      widgetEvent({ ...eur, ...popup, ts: ts + 1, t: 'click' }),
      checkoutEvent({ ...eur, ts: ts + MINUTE, val: 40, cur: 'EUR' }),
      widgetEvent({ ...usd, ...popup, ts, t: 'instance' }),
      widgetEvent({ ...usd, ...popup, ts: ts + 1, t: 'click' }),
      widgetEvent({ ...usd, ...popup, ts: ts + 2, t: 'dismiss' }),
      checkoutEvent({ ...usd, ts: ts + MINUTE, val: 25, cur: 'USD' }),
    ]);

    const widgets = (await shop.widgets()).rows as unknown as WidgetStatsRow[];
    const widget = { kind: 'popup', id: 'spring-sale', campaign: 'spring', sequence: null };
    expect(widgets).toEqual([
      { ...widget, instances: 2, clicks: 2, hovers: 0, dismisses: 1, orders: 1, value: 40, currency: 'EUR' },
      { ...widget, instances: 0, clicks: 0, hovers: 0, dismisses: 0, orders: 1, value: 25, currency: 'USD' },
    ]);
    expect(await campaigns(shop, '')).toEqual([
      { id: 'spring', started: 2, profiles: 2, orders: 1, value: 40, currency: 'EUR' },
      { id: 'spring', started: 0, profiles: 0, orders: 1, value: 25, currency: 'USD' },
    ]);
  });
});
