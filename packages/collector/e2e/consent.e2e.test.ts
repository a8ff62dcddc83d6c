import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.ts';
import { widget, widgetReaches } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

describe('consent in a real browser', () => {
  const suite = useSuite();

  it('sends and stores nothing before consent, and tracks after it', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const sent: string[] = [];
    context.on('request', (req) => {
      if (req.url().startsWith(suite.collector.origin)) sent.push(req.url());
    });
    const page = await suite.open(context, shop, 'widgets.html', 'data-consent="required" data-hover-ms="100"');
    await page.click('#popup-cta');
    await page.evaluate(() => window.lasttouch('flush'));
    // The other widget rows prove the collector is reachable and the page did load the SDK.
    expect(await page.evaluate(() => ({ local: localStorage.length, cookie: document.cookie }))).toEqual({
      local: 0,
      cookie: '',
    });
    expect(sent).toEqual([]);
    expect(await widget(suite.api, shop, 'spring-sale')).toMatchObject({ instances: 0, clicks: 0 });

    await page.evaluate(() => window.lasttouch('consent', true));
    await page.click('#popup-cta');
    await page.evaluate(() => window.lasttouch('flush'));
    await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 });
    await eventually(
      async () => sent.length,
      (n) => n > 0,
    );

    await page.evaluate(() => window.lasttouch('consent', false));
    expect(await page.evaluate(() => ({ local: localStorage.length, cookie: document.cookie }))).toEqual({
      local: 0,
      cookie: '',
    });
  });
});
