import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.js';
import { startFaultyProxy } from './harness/faulty-proxy.js';
import { useSuite } from './harness/suite.js';
import { recordWire, storedOf, type WireEvent } from './harness/wire.js';

const flush = (page: Page) => page.evaluate(() => window.lasttouch('flush'));
/** The SDK's keys in this origin's localStorage. */
const storedKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lt_')));
/** Clicks `selector` `count` times, `gapMs` apart, as a busy visitor does. */
const clicks = (page: Page, selector: string, count: number, gapMs: number) =>
  page.evaluate(
    async ({ selector, count, gapMs }) => {
      const el = document.querySelector(selector) as HTMLElement;
      for (let i = 0; i < count; i++) {
        el.click();
        await new Promise((r) => setTimeout(r, gapMs));
      }
    },
    { selector, count, gapMs },
  );

describe('tabs and outages, in Chromium', () => {
  const suite = useSuite();

  it('two busy tabs put each event on the wire once and leave nothing delivered in storage', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const sent = recordWire(context);
    const [a, b] = [await suite.open(context, shop), await suite.open(context, shop)];
    await Promise.all([clicks(a, '#popup-cta', 60, 40), clicks(b, '#popup2-cta', 60, 40)]);
    await Promise.all([flush(a), flush(b)]);
    const distinct = () => new Set(sent.map((e) => e.id)).size;
    await eventually(
      async () => [await storedKeys(a), await storedKeys(b)],
      ([ka, kb]) => !ka!.some((k) => k.startsWith('lt_q')) && !kb!.some((k) => k.startsWith('lt_q')),
    );
    const perEvent = sent.length / distinct();
    console.log(`[tabs] ${sent.length} events on the wire for ${distinct()} distinct: ${perEvent.toFixed(3)} each`);
    expect(perEvent).toBeLessThanOrEqual(1.05);
    const clicksStored = async () => (await storedOf(suite, shop, sent)).filter((e) => e.t === 'click').length;
    expect(await eventually(clicksStored, (n) => n === 120)).toBe(120);
  });

  it('withdrawing consent in one tab clears the ids and the queue and stops every other tab', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const sent = recordWire(context);
    const [a, b] = [await suite.open(context, shop), await suite.open(context, shop)];
    await a.click('#popup-cta');
    await flush(a);
    await eventually(
      async () => sent.length,
      (n) => n > 0,
    );
    await a.evaluate(() => window.lasttouch('consent', 'denied'));
    const before = sent.length;
    // The other tab hears it through the storage event.
    await b.waitForFunction(
      () => new Promise((resolve) => window.lasttouch('visitorId', (id: string | null) => resolve(id === null))),
    );
    await b.click('#popup-cta');
    await flush(b);
    await b.waitForTimeout(1500);
    expect(sent.length).toBe(before);
    expect(await storedKeys(a)).toEqual([]);
    expect(await storedKeys(b)).toEqual([]);
    expect((await context.cookies()).filter((c) => c.name === 'lt_v')).toEqual([]);
  });

  it('through an outage keeps checkouts and identities, drops widget events first, and reports how many', async () => {
    const shop = await suite.newShop();
    const proxy = await startFaultyProxy(suite.collector.origin);
    try {
      const context = await suite.newVisitor();
      const sent = recordWire(context);
      proxy.fault = '503';
      const page = await context.newPage();
      await page.goto(
        `${suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: proxy.origin, attrs: 'data-hover-ms="600000"' })}&order=outage-1`,
      );
      await page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));
      await page.evaluate(() => window.lasttouch('identify', 'customer-outage'));
      await clicks(page, '#popup-cta', 150, 0);
      await page.click('#checkout');
      await clicks(page, '#popup2-cta', 110, 0);
      await flush(page);
      await eventually(
        async () => proxy.batches.filter((b) => b.status === 503).length,
        (n) => n >= 2,
        30_000,
      );
      proxy.fault = 'pass';
      // Delivered: the checkout, the identity and every drop report.
      const delivered = await eventually(
        () => storedOf(suite, shop, sent),
        (events) => events.some((e) => e.t === 'drop') && events.some((e) => e.t === 'checkout'),
        45_000,
      );
      await eventually(
        async () => (await storedKeys(page)).filter((k) => k.startsWith('lt_q')),
        (keys) => keys.length === 0,
        30_000,
      );
      const made = 3 + 1 + 150 + 1 + 110; // instances in view, identify, clicks, checkout, clicks
      const reported = () => [...new Map(sent.filter((e) => e.t === 'drop').map((e) => [e.id, e.n!])).values()];
      const keptOf = (events: WireEvent[]) => events.filter((e) => e.t !== 'drop').length;
      const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
      // Every event made was delivered (stored) or counted as dropped, and not both. Counted once
      // both are in: the last batches were answered once queued (the consumer stores them after),
      // and a drop is reported in the flush after it.
      const { stored, drops } = await eventually(
        async () => ({ stored: await storedOf(suite, shop, sent), drops: reported() }),
        (now) => keptOf(now.stored) + sum(now.drops) >= made,
      );
      const kept = keptOf(stored);
      console.log(`[outage] ${made} events made, ${kept} kept, ${drops.join('+')} reported dropped`);
      expect(kept + sum(drops)).toBe(made);
      expect(delivered.filter((e) => e.t === 'checkout').map((e) => e.o)).toEqual(['outage-1']);
      expect(delivered.filter((e) => e.t === 'identify')).toHaveLength(1);
      expect(drops.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
