import type { LinkResponse } from '@lasttouch/shared';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { orderDetail } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The page's own clock runs `offsetMs` off (a device set to the wrong time), from its first script on. */
const skewClock = (offsetMs: number) => `{ const now = Date.now; Date.now = () => now() + ${offsetMs}; }`;

/** Clicks in one task after another, a few ms apart: every event lands in the same (1 s) batch. */
const clickInTurn = (page: Page, selectors: string[]) =>
  page.evaluate(async (selectors) => {
    for (const selector of selectors) {
      (document.querySelector(selector) as HTMLElement).click();
      await new Promise((r) => setTimeout(r, 30));
    }
  }, selectors);

describe('attribution in everyday browser flows (issue 14)', () => {
  const suite = useSuite();

  it('credits a tagged link re-opened after a pop-up click: every landing is a touch', async () => {
    const shop = await suite.newShop();
    const store = new URL(
      suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: suite.collector.origin }),
    );
    store.searchParams.set('order', 'reopened-1');
    const { url } = await suite.api.post<LinkResponse>(
      '/v1/links',
      shop.agentKey,
      { url: store.toString(), conversation: 'conv-reopen', channel: 'whatsapp', agent: 'ana' },
      201,
    );
    const page = await (await suite.newVisitor()).newPage();
    const land = async () => {
      await page.goto(url);
      await page.waitForFunction(() => !location.search.includes('lt_c='));
    };

    await land();
    await page.click('#popup-cta');
    // The same tagged url again (the chat message tapped a second time), then the order.
    await land();
    await page.click('#checkout');

    const order = await orderDetail(suite.api, shop, 'reopened-1', (o) => o.credited !== null);
    expect(order.credited).toMatchObject({ action: 'link_landing', conversation: 'conv-reopen', forwarded: false });
    const click = order.candidates.find((c) => c.action === 'popup_click');
    expect(click).toMatchObject({ id: 'spring-sale' });
    // The re-opening is the latest touch: it beat the click made after the first landing.
    expect(Date.parse(order.credited!.ts)).toBeGreaterThan(Date.parse(click!.ts));
    expect(order.candidates.filter((c) => c.action === 'link_landing')).toHaveLength(1);
  });

  it.each([
    ['an hour fast', HOUR],
    ['30 days slow', -30 * DAY],
  ])('keeps the order of interactions from a clock %s and dates the order by the server', async (_, offsetMs) => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    await context.addInitScript(skewClock(offsetMs));
    const orderId = `skewed-${offsetMs}`;
    const page = await suite.open(context, shop, 'widgets.html', undefined, { order: orderId });
    expect(await page.evaluate(() => Date.now())).toBeGreaterThan(Date.now() + offsetMs - 60_000);

    // Pop-up, then block, then the order, all in one batch: uncorrected, a fast clock's events
    // collapse onto the receive time (and the pop-up wins the tie), a slow one's are too old.
    const before = Date.now();
    await clickInTurn(page, ['#popup-cta', '#block-cta', '#checkout']);
    const after = Date.now();

    const order = await orderDetail(suite.api, shop, orderId, (o) => o.credited !== null);
    expect(order.credited).toMatchObject({ action: 'block_click', id: 'hero' });
    const popup = order.candidates.find((c) => c.action === 'popup_click');
    expect(popup).toMatchObject({ id: 'spring-sale' });
    const [popupAt, blockAt, orderAt] = [popup!.ts, order.credited!.ts, order.ts].map(Date.parse) as number[];
    expect(popupAt).toBeLessThan(blockAt!);
    expect(blockAt).toBeLessThan(orderAt!);
    // On the server's clock: between the clicks made and the answer, give or take the trip.
    for (const at of [popupAt, blockAt, orderAt]) {
      expect(at).toBeGreaterThan(before - 5_000);
      expect(at).toBeLessThan(after + 5_000);
    }
  });
});
