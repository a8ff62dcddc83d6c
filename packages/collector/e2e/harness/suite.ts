import { launchChromium } from '@lasttouch/shared/testing/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CollectorApi } from './api.ts';
import { type Storefront, startStorefront } from './storefront.ts';
import { startWorker, type Worker } from './wrangler-dev.ts';

export interface Shop {
  siteId: string;
  writeKey: string;
  agentKey: string;
  readKey: string;
}

export interface Suite {
  collector: Worker;
  storefront: Storefront;
  browser: Browser;
  api: CollectorApi;
  /** A new site that allows the storefront's origin. */
  newShop(): Promise<Shop>;
  /** A fresh browser profile (a new visitor). */
  newVisitor(): Promise<BrowserContext>;
  /** Opens a fixture page of `shop` in `context`, the SDK loaded and ready. */
  open(
    context: BrowserContext,
    shop: Shop,
    name?: string,
    attrs?: string,
    query?: Record<string, string>,
  ): Promise<Page>;
}

/**
 * Starts the collector (wrangler dev, fresh local D1), a storefront on another origin and
 * Chromium once per test file, and stops them all afterwards, even when a test failed.
 */
export function useSuite(): Suite {
  const suite = {} as Suite;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    // Each part is kept as soon as it is up, so afterAll stops it even when another failed to start.
    await Promise.all([
      startWorker().then((collector) => {
        suite.collector = collector;
        suite.api = new CollectorApi(collector.origin);
      }),
      startStorefront().then((storefront) => {
        suite.storefront = storefront;
      }),
      launchChromium().then((browser) => {
        suite.browser = browser;
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([suite.browser?.close(), suite.storefront?.close(), suite.collector?.dispose()]);
  });
  suite.newShop = async () => suite.api.createSite([suite.storefront.origin]);
  suite.newVisitor = async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1000, height: 800 } });
    contexts.push(context);
    return context;
  };
  suite.open = async (context, shop, name = 'widgets.html', attrs = 'data-hover-ms="100"', query = {}) => {
    const page = await context.newPage();
    const url = new URL(suite.storefront.page(name, { writeKey: shop.writeKey, api: suite.collector.origin, attrs }));
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    await page.goto(url.toString());
    await page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));
    return page;
  };
  return suite;
}

declare global {
  interface Window {
    lasttouch: ((...args: unknown[]) => void) & { q?: unknown[] };
  }
}
