import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.ts';
import { startFaultyProxy } from './harness/faulty-proxy.ts';
import { widget } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

const ready = (page: Page) =>
  page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));

describe('an overloaded collector, as the SDK meets it in a real browser', () => {
  const suite = useSuite();

  it('keeps events through 503 and 429 answers, across a reload and a second tab, and stores each exactly once', async () => {
    const shop = await suite.newShop();
    const proxy = await startFaultyProxy(suite.collector.origin);
    try {
      const context = await suite.newVisitor();
      const url = suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: proxy.origin });
      const refusals = (status: number) => proxy.batches.filter((b) => b.status === status).length;

      proxy.fault = '503';
      const tab = await context.newPage();
      await tab.goto(url);
      await ready(tab);
      await tab.click('#popup-cta');
      await tab.evaluate(() => window.lasttouch('flush'));
      // Refused, the SDK tries again after Retry-After instead of dropping the batch.
      await eventually(
        async () => refusals(503),
        (n) => n >= 2,
        30_000,
      );

      proxy.fault = '429';
      await tab.reload();
      await ready(tab);
      await tab.click('#popup2-cta');
      const other = await context.newPage();
      await other.goto(url);
      await ready(other);
      await other.click('#popup-cta');
      await eventually(
        async () => refusals(429),
        (n) => n >= 2,
        30_000,
      );
      expect(proxy.batches.every((b) => b.status !== 202)).toBe(true);

      proxy.fault = 'pass';
      const sent = () => new Set(proxy.batches.flatMap((b) => b.ids));
      const stored = async () =>
        (
          await suite.collector.query<{ event_id: string }>(
            `select event_id from events where site_id = '${shop.siteId}'`,
          )
        ).map((row) => row.event_id);
      const answered = () => new Set(proxy.batches.flatMap((b) => (b.status === 202 ? b.ids : [])));
      // Everything any tab ever tried to send lands once the collector answers again. (Counted
      // once the proxy has recorded the answers too: the consumer may store a batch before the
      // proxy has read the 202 it was answered.)
      const landed = await eventually(
        stored,
        (ids) => ids.length > 0 && [...sent()].every((id) => ids.includes(id) && answered().has(id)),
        45_000,
      );
      expect(landed.sort()).toEqual([...sent()].sort());

      // Each event was accepted at least once; a resend answered before the queue had stored the
      // first copy is accepted again and deduped by id when the consumer writes it (stored once, above).
      const answers = proxy.batches.flatMap((b) => (b.answer ? [b.answer] : []));
      const accepted = answers.reduce((n, a) => n + a.accepted, 0);
      const duplicates = answers.reduce((n, a) => n + a.duplicates, 0);
      console.log(
        `[faults] ${sent().size} events, ${refusals(503)} batches refused with 503, ${refusals(429)} with 429; accepted ${accepted}, duplicates absorbed ${duplicates}`,
      );
      expect(accepted).toBeGreaterThanOrEqual(sent().size);
      // Three showings of the pop-up (first load, reload, second tab) are three instances, no more.
      expect(await widget(suite.api, shop, 'spring-sale')).toMatchObject({ instances: 3, clicks: 1 });
      expect(await widget(suite.api, shop, 'last-chance')).toMatchObject({ clicks: 1 });
    } finally {
      await proxy.close();
    }
  });
});
