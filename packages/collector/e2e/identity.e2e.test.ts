import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { widgetReaches } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

const visitorId = (page: Page) =>
  page.evaluate(() => new Promise<string>((resolve) => window.lasttouch('visitorId', resolve)));

describe('identity in a real browser', () => {
  const suite = useSuite();

  it('keeps the visitor id across a reload and a new tab', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const page = await suite.open(context, shop);
    const first = await visitorId(page);
    expect(first).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    await page.reload();
    await page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));
    expect(await visitorId(page)).toBe(first);
    const tab = await suite.open(context, shop, 'other.html');
    expect(await visitorId(tab)).toBe(first);
    const cookies = await context.cookies();
    expect(cookies.some((c) => c.value.includes(first) && c.sameSite === 'Lax')).toBe(true);

    const stranger = await suite.open(await suite.newVisitor(), shop);
    expect(await visitorId(stranger)).not.toBe(first);
  });

  it('starts a new session after the inactivity timeout', async () => {
    const shop = await suite.newShop();
    const timeoutMs = 1_000;
    const page = await suite.open(
      await suite.newVisitor(),
      shop,
      'widgets.html',
      `data-session-timeout-ms="${timeoutMs}"`,
    );
    await page.click('#popup-cta');
    await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 });
    // Activity inside the timeout keeps the session: a second click is the same session.
    await page.click('#popup-cta');
    await page.evaluate(() => window.lasttouch('flush'));
    // Idle past the timeout (the one wait this test needs), then a click opens a new session.
    await page.waitForTimeout(timeoutMs + 200);
    await page.click('#popup-cta');
    await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 2 });
  });
});
