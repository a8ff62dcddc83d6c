import type { WidgetStatsRow } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import * as fx from '../test/fixtures.js';
import { dailySeries, filterWidgets, groupRows, NO_CAMPAIGN, sortGroups, totalsOf, widgetLines } from './rows.js';

describe('widget lines', () => {
  it('keeps a widget’s currency rows together and derives its rates from its counts', () => {
    const groups = widgetLines(fx.widgets.rows);
    expect(groups.map((g) => g.rows.length)).toEqual([2, 1, 1]);
    const [eur, usd] = groups[0]!.rows;
    expect(eur).toMatchObject({ first: true, clickRate: 0.25, ordersPerClick: 4 / 50, valuePerInstance: 160 / 200 });
    // The second currency's orders and value against the widget's clicks and instances.
    expect(usd).toMatchObject({ first: false, clickRate: null, ordersPerClick: 1 / 50, valuePerInstance: 30 / 200 });
  });

  it('has no rate where the divisor is zero, and no money rate without a currency', () => {
    const hero = widgetLines(fx.widgets.rows)[2]!.rows[0]!;
    expect(hero).toMatchObject({ clickRate: 0, ordersPerClick: null, valuePerInstance: null });
    const unseen: WidgetStatsRow = { ...fx.widgets.rows[0]!, instances: 0, clicks: 0 };
    expect(widgetLines([unseen])[0]!.rows[0]).toMatchObject({ clickRate: null, valuePerInstance: null });
  });

  it('filters by kind and campaign, including widgets without one', () => {
    expect(filterWidgets(fx.widgets.rows, { kind: 'popup', campaign: '' }).map((r) => r.id)).toEqual([
      'spring-sale',
      'spring-sale',
    ]);
    expect(filterWidgets(fx.widgets.rows, { kind: '', campaign: NO_CAMPAIGN }).map((r) => r.id)).toEqual([
      'free-shipping',
    ]);
    expect(filterWidgets(fx.widgets.rows, { kind: 'block', campaign: 'spring' }).map((r) => r.id)).toEqual(['hero']);
  });
});

describe('sorting groups', () => {
  const groups = groupRows(['b1', 'a2', 'c3', 'x'], (s) => s);
  const value = (rows: readonly string[]) => (rows[0]!.length > 1 ? Number(rows[0]!.slice(1)) : null);

  it('sorts numbers both ways with empty values last either way', () => {
    expect(sortGroups(groups, value, 'ascending').map((g) => g.key)).toEqual(['b1', 'a2', 'c3', 'x']);
    expect(sortGroups(groups, value, 'descending').map((g) => g.key)).toEqual(['c3', 'a2', 'b1', 'x']);
  });

  it('sorts text by locale and keeps the API’s order on ties', () => {
    const ties = groupRows(['b', 'a', 'b2', 'a2'], (s) => s);
    expect(sortGroups(ties, (rows) => rows[0]![0]!, 'ascending').map((g) => g.key)).toEqual(['a', 'a2', 'b', 'b2']);
  });
});

describe('totals', () => {
  it('adds what widgets and chats earned and compares it with the whole site, per currency', () => {
    const totals = totalsOf(fx.widgets.rows, fx.chat.rows, fx.chat.totals, fx.daily.rows);
    expect(totals).toMatchObject({
      instances: 1240,
      clicks: 60,
      widgetOrders: 7,
      chatOrders: 1,
      credited: 8,
      siteOrders: 15,
      orderShare: 8 / 15,
      dropped: 3,
    });
    expect(totals.money).toEqual([
      { currency: 'EUR', widgets: 259.5, chats: 40, site: 600, share: 299.5 / 600 },
      { currency: 'USD', widgets: 30, chats: 0, site: 30, share: 1 },
    ]);
  });

  it('has no share when the site total is unknown or zero', () => {
    expect(totalsOf(fx.widgets.rows, [], null, [])).toMatchObject({ siteOrders: null, orderShare: null });
    expect(totalsOf([], [], [], [])).toMatchObject({
      credited: 0,
      siteOrders: 0,
      orderShare: null,
      money: [],
      dropped: 0,
    });
  });
});

describe('daily series', () => {
  it('has a point for every day of the range and charts the main currency’s value', () => {
    const dates = ['2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'];
    expect(dailySeries(fx.daily.rows, dates)).toEqual({
      dates,
      instances: [0, 30, 0, 10],
      clicks: [0, 4, 0, 1],
      orders: [0, 1, 0, 3],
      dropped: [0, 3, 0, 0],
      value: [0, 40, 0, 80],
      currency: 'EUR',
    });
  });

  it('has no value line without orders', () => {
    expect(dailySeries([], ['2026-11-22'])).toMatchObject({ currency: null, value: [0] });
  });
});
