import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreOrigin, startStoreOrigin } from './harness/first-party-proxy.ts';
import { widgetReaches } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

/** `vars.BASE_PATH` of wrangler.jsonc, which `wrangler dev` runs with. */
const BASE_PATH = '/lt';

const ready = (page: Page) =>
  page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));

const visitorId = (page: Page) =>
  page.evaluate(() => new Promise<string>((resolve) => window.lasttouch('visitorId', resolve)));

/** Clicks a widget and flushes; resolves with the collector's answer to that batch. */
async function sendClick(page: Page): Promise<Response> {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/v1/events') && r.status() === 202);
  await page.click('#popup-cta');
  await page.evaluate(() => window.lasttouch('flush'));
  return answered;
}

describe('the first-party mount in a real browser', () => {
  const suite = useSuite();
  let store: StoreOrigin;

  beforeAll(async () => {
    store = await startStoreOrigin(suite.storefront.origin, suite.collector.origin, BASE_PATH);
  });
  afterAll(() => store?.close());

  it("loads the tag from the store's own origin, and the events' answer sets the visitor cookie", async () => {
    const shop = await suite.api.createSite([store.origin]);
    const context = await suite.newVisitor();
    const page = await context.newPage();
    const hosts = new Set<string>();
    const tag = page.waitForResponse((r) => r.url() === `${store.origin}${BASE_PATH}/lasttouch.js`);
    page.on('request', (r) => hosts.add(new URL(r.url()).origin));
    // The storefront's page, served from the store's origin, with `data-api="/lt"`.
    const url = suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: BASE_PATH });
    await page.goto(url.replace(suite.storefront.origin, store.origin));
    await ready(page);
    expect((await tag).status()).toBe(200);
    const id = await visitorId(page);

    const answer = await sendClick(page);
    expect(new URL(answer.url()).pathname).toBe(`${BASE_PATH}/v1/events`);
    // Set by the server: no `Secure` on plain http, host-only, 400 days.
    expect(await answer.headerValue('set-cookie')).toBe(`lt_v=${id}; Max-Age=34560000; Path=/; SameSite=Lax`);
    const cookie = (await context.cookies(store.origin)).find((c) => c.name === 'lt_v');
    expect(cookie?.value).toBe(id);
    expect((cookie?.expires ?? 0) * 1000).toBeGreaterThan(Date.now() + 399 * 86_400_000);
    // Nothing the page loaded named another host.
    expect([...hosts]).toEqual([store.origin]);
    await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 });
  });

  it('sets no cookie for a storefront of another site', async () => {
    // `localhost` and `127.0.0.1` are two sites to the browser: the storefront is cross-site.
    const crossSite = suite.storefront.origin.replace('127.0.0.1', 'localhost');
    const shop = await suite.api.createSite([crossSite]);
    const page = await (await suite.newVisitor()).newPage();
    await page.goto(
      suite.storefront
        .page('widgets.html', { writeKey: shop.writeKey, api: suite.collector.origin })
        .replace(suite.storefront.origin, crossSite),
    );
    await ready(page);
    const answer = await sendClick(page);
    expect(await answer.headerValue('set-cookie')).toBeNull();
    expect(await answer.request().headerValue('sec-fetch-site')).toBe('cross-site');
  });

  it('serves the API reference there, every asset from the same origin, within its CSP', async () => {
    const page = await (await suite.newVisitor()).newPage();
    const hosts = new Set<string>();
    const problems: string[] = [];
    page.on('request', (r) => hosts.add(new URL(r.url()).origin));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const document = page.waitForResponse((r) => r.url() === `${store.origin}${BASE_PATH}/openapi.json`);
    await page.goto(`${store.origin}${BASE_PATH}/docs`);
    await page.getByText("A batch of the browser tag's events").first().waitFor();
    // "Try it" sends under the base path. (Its host is the one the worker sees: the store's behind
    // a Worker route; here wrangler dev's own, as a proxy cannot hand it another.)
    const [server] = (await (await document).json()).servers;
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${BASE_PATH}$`));
    expect([...hosts]).toEqual([store.origin]);
    expect(problems).toEqual([]);
  });
});
