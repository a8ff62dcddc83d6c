import type { Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.ts';
import { widgetReaches } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

/** Event ids in the batches a page sent to the collector. */
function sentEventIds(req: Request): string[] {
  try {
    const body = JSON.parse(req.postData() ?? '') as { e?: { id: string }[] };
    return (body.e ?? []).map((e) => e.id);
  } catch {
    return [];
  }
}

describe('durability in a real browser', () => {
  // Its own collector: the test stops it, which no other file's may see.
  const suite = useSuite({ ownCollector: true });

  it('keeps events made while the collector is down and delivers each exactly once when it is back', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const attempted = new Set<string>();
    const delivered: string[] = [];
    context.on('request', (req) => {
      if (req.url().endsWith('/v1/events')) for (const id of sentEventIds(req)) attempted.add(id);
    });
    context.on('requestfinished', async (req) => {
      const res = await req.response();
      if (req.url().endsWith('/v1/events') && res?.status() === 202) delivered.push(...sentEventIds(req));
    });

    const page = await suite.open(context, shop);
    await widgetReaches(suite.api, shop, 'spring-sale', { instances: 1 });

    await suite.collector.stop();
    await page.click('#popup-cta');
    await page.locator('#block').scrollIntoViewIfNeeded();
    await page.click('#block-cta');
    await page.evaluate(() => window.lasttouch('flush'));
    await page.close();

    await suite.collector.start();
    await suite.open(context, shop, 'other.html');
    await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 });
    await widgetReaches(suite.api, shop, 'hero', { instances: 1, clicks: 1 });
    // Every event any page produced reached the collector...
    await eventually(
      async () => delivered.length,
      () => [...attempted].every((id) => delivered.includes(id)),
    );
    // ...and is stored once (the ids in the database are exactly those attempted, once the
    // consumer wrote the last batches answered), and counted once: instances count showings, so
    // a double-counted instance would show as 2.
    const stored = await eventually(
      async () =>
        (
          await suite.collector.query<{ event_id: string }>(
            `select event_id from events where site_id = '${shop.siteId}'`,
          )
        ).map((row) => row.event_id),
      (ids) => [...attempted].every((id) => ids.includes(id)),
    );
    expect(stored.sort()).toEqual([...attempted].sort());
    expect(await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 })).toMatchObject({ instances: 1 });
    expect(await widgetReaches(suite.api, shop, 'hero', { clicks: 1 })).toMatchObject({ instances: 1 });
  });
});
