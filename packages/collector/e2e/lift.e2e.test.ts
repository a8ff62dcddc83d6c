import type { LiftResponse, LiftRow } from '@lasttouch/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.ts';
import { orderDetail } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

type Cohort = 'exposed' | 'holdout';

interface Visitor {
  context: BrowserContext;
  page: Page;
  id: string;
  cohort: Cohort;
  /** `s:h` of every event its pages sent: the session and the cohort on the wire. */
  sent: string[];
}

const WIDGETS = ['spring-sale', 'free-shipping', 'last-chance', 'hero'];

const ask = <T>(page: Page, name: 'cohort' | 'visitorId') =>
  page.evaluate((name) => new Promise<T>((resolve) => window.lasttouch(name, resolve)), name);
const displays = (page: Page) =>
  page.evaluate(() => Array.from(document.querySelectorAll('[data-lt-widget]'), (el) => getComputedStyle(el).display));
const ready = (page: Page) =>
  page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));

describe('lift in Chromium (issue 17)', () => {
  const suite = useSuite();

  it('counts per cohort exactly the visitors the browsers produced, and each order in its cohort', async () => {
    const shop = await suite.newShop();
    const attrs = 'data-holdout="50" data-session-timeout-ms="1000"';
    const visitors: Visitor[] = [];
    const of = (cohort: Cohort) => visitors.filter((v) => v.cohort === cohort);
    // Each new visitor is held out with a chance of one half: draw until each cohort has two.
    for (let i = 0; i < 24 && (of('exposed').length < 2 || of('holdout').length < 2); i++) {
      const context = await suite.newVisitor();
      const sent: string[] = [];
      context.on('request', (req) => {
        if (req.method() === 'POST' && req.url().endsWith('/v1/events'))
          for (const e of (JSON.parse(req.postData() ?? '{"e":[]}') as { e: { s: string; h: number }[] }).e)
            sent.push(`${e.s}:${e.h}`);
      });
      const page = await suite.open(context, shop, 'widgets.html', attrs, { order: `lift-${i}`, value: '25' });
      visitors.push({
        context,
        page,
        id: await ask<string>(page, 'visitorId'),
        cohort: await ask<Cohort>(page, 'cohort'),
        sent,
      });
    }
    const [exposed, held] = [of('exposed'), of('holdout')];
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(exposed.length).toBeGreaterThanOrEqual(2);

    // Held-out visitors see no widget, exposed ones see every one.
    for (const v of visitors)
      expect(await displays(v.page)).toEqual(WIDGETS.map(() => (v.cohort === 'holdout' ? 'none' : 'block')));

    // The same cohort after a reload in a new session (the timeout passed), for every visitor.
    await visitors[0]!.page.waitForTimeout(1_200);
    for (const v of visitors) {
      await v.page.reload();
      await ready(v.page);
      expect(await ask(v.page, 'visitorId')).toBe(v.id);
      expect(await ask(v.page, 'cohort')).toBe(v.cohort);
      await v.page.evaluate(() => window.lasttouch('flush'));
    }
    for (const v of visitors) {
      const sessions = await eventually(
        async () => new Set(v.sent),
        (s) => s.size >= 2,
      );
      expect([...sessions].map((s) => s.split(':')[1])).toEqual(
        [...sessions].map(() => (v.cohort === 'holdout' ? '1' : '0')),
      );
    }

    // One order from each cohort, each after a click on the pop-up (hidden from the held-out one).
    const buyers = { exposed: exposed[0]!, holdout: held[0]! };
    for (const buyer of Object.values(buyers))
      await buyer.page.evaluate(async () => {
        (document.querySelector('#popup-cta') as HTMLElement).click();
        await new Promise((r) => setTimeout(r, 30));
        (document.querySelector('#checkout') as HTMLElement).click();
      });
    const orderOf = (v: Visitor) => `lift-${visitors.indexOf(v)}`;
    const credited = await orderDetail(suite.api, shop, orderOf(buyers.exposed), (o) => o.credited !== null);
    expect(credited.credited).toMatchObject({ action: 'popup_click', id: 'spring-sale', visitorId: buyers.exposed.id });
    const uncredited = await orderDetail(suite.api, shop, orderOf(buyers.holdout));
    expect(uncredited).toMatchObject({ visitorId: buyers.holdout.id, credited: null });

    const cohort = (n: number) => ({
      visitors: n,
      converters: 1,
      orders: 1,
      value: 25,
      // Rates are answered rounded (4 digits, money to the cent).
      conversionRate: expect.closeTo(1 / n, 4),
      revenuePerVisitor: expect.closeTo(25 / n, 2),
    });
    const expected = { currency: 'EUR', exposed: cohort(exposed.length), holdout: cohort(held.length) };
    const lift = (groupBy: string) =>
      eventually(
        () => suite.api.get<LiftResponse>(`/v1/stats/lift?groupBy=${groupBy}`, shop.readKey),
        (r) => r.rows.length > 0 && r.rows.every((row) => row.exposed.orders === 1 && row.holdout.orders === 1),
        30_000,
      );
    const visitorsOf = (row: LiftRow) => [row.group, row.exposed.visitors, row.holdout.visitors];
    const site = await lift('site');
    expect(site.rows).toMatchObject([{ group: 'site', ...expected }]);
    // Every visitor was eligible for every widget of the page, in its cohort.
    const widgets = await lift('widget');
    expect(widgets.rows.map(visitorsOf).sort()).toEqual(WIDGETS.map((w) => [w, exposed.length, held.length]).sort());
    for (const row of widgets.rows) expect(row).toMatchObject(expected);
    const campaigns = await lift('campaign');
    expect(campaigns.rows.map(visitorsOf).sort()).toEqual(
      ['spring', 'shipping', 'blocks'].map((c) => [c, exposed.length, held.length]).sort(),
    );
  });
});
