import { launchChromium } from '@lasttouch/shared/testing/chromium';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { CollectorApi } from './api.ts';
import { type Storefront, startStorefront } from './storefront.ts';
import { type RunningWorker, runningWorker, startWorker, type Worker } from './wrangler-dev.ts';

export interface Shop {
  siteId: string;
  writeKey: string;
  agentKey: string;
  readKey: string;
}

export interface Suite<Collector extends RunningWorker = RunningWorker> {
  collector: Collector;
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

export interface SuiteOptions {
  /**
   * A collector of the file's own (wrangler dev, fresh local D1), which its tests may stop and
   * start; otherwise the run's shared one (e2e/harness/global-setup.ts), which nobody stops.
   */
  ownCollector?: boolean;
}

/**
 * The collector for a test file: the run's shared one, or with `ownCollector` one of its own;
 * and a storefront on another origin and Chromium once per file. What the file started is
 * stopped afterwards, even when a test failed. Files sharing the collector keep apart by site
 * (`newShop`): a test reads only its own sites' data, never a whole table or queue.
 */
export function useSuite(options: SuiteOptions & { ownCollector: true }): Suite<Worker>;
export function useSuite(options?: SuiteOptions): Suite;
export function useSuite({ ownCollector = false }: SuiteOptions = {}): Suite<RunningWorker> {
  const suite = {} as Suite;
  const contexts: BrowserContext[] = [];
  let own: Worker | undefined;
  const setCollector = (collector: RunningWorker) => {
    suite.collector = collector;
    suite.api = new CollectorApi(collector.origin);
  };
  beforeAll(async () => {
    if (!ownCollector) {
      const { origin, persistDir } = inject('collector');
      setCollector(runningWorker(origin, persistDir));
    }
    // Each part is kept as soon as it is up, so afterAll stops it even when another failed to start.
    await Promise.all([
      ownCollector &&
        startWorker().then((collector) => {
          own = collector;
          setCollector(collector);
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
    await Promise.allSettled([suite.browser?.close(), suite.storefront?.close(), own?.dispose()]);
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
