import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from '@lasttouch/shared/testing/chromium';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './harness/api.js';
import { type Shop, type Suite, useSuite } from './harness/suite.js';
import { recordWire, storedOf, type WireEvent } from './harness/wire.js';
import { freePort } from './harness/wrangler-dev.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const sdkBuild = fileURLToPath(new URL('../../sdk/dist/lasttouch.js', import.meta.url));

const ready = (page: Page) =>
  page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));
const flush = (page: Page) => page.evaluate(() => window.lasttouch('flush'));
const visitorId = (page: Page) =>
  page.evaluate(() => new Promise<string>((resolve) => window.lasttouch('visitorId', resolve)));

/** The widget's event types in `events`, hovers left out: the pointer rests where it last clicked. */
const typesOf = (events: readonly WireEvent[], widget: string) =>
  events.filter((e) => e.w === widget && e.t !== 'hover').map((e) => e.t);
const same = (types: string[]) => (got: string[]) => JSON.stringify(got) === JSON.stringify(types);

/** Waits until the widget's events the collector stored, of those `sent`, are exactly `types`. */
const widgetEvents = (suite: Suite, shop: Shop, sent: readonly WireEvent[], widget: string, types: string[]) =>
  eventually(async () => typesOf(await storedOf(suite, shop, sent), widget), same(types));

/** Waits until the widget's events on the wire (no round trip to D1 per check) are exactly `types`. */
const onWire = (sent: readonly WireEvent[]) => (widget: string, types: string[]) =>
  eventually(async () => typesOf(sent, widget), same(types));

/**
 * A storefront of this file's own, on its own origin: it serves fixture pages without
 * `Cache-Control: no-store` (which keeps a page out of the back/forward cache), records each
 * page's `pageshow`, and forwards `/lt/*` to the collector, as the first-party mount does.
 */
async function startOwnStore(collector: string, tag: string) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname.startsWith('/lt/')) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v;
      const data = await body(req);
      const upstream = await fetch(`${collector}${url.pathname.slice(3)}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(data),
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
      res.end(await upstream.text());
      return;
    }
    if (url.pathname === '/lasttouch.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(await readFile(sdkBuild));
      return;
    }
    const name = url.pathname.slice(1);
    if (!/^[a-z0-9-]+\.html$/.test(name)) {
      res.writeHead(404);
      res.end();
      return;
    }
    const recorder = `<script>addEventListener('pageshow', (e) => { window.__shows = (window.__shows || []).concat(e.persisted); });</script>`;
    const template = await readFile(`${fixtures}${name}`, 'utf8');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(template.replace('<!--lasttouch-->', recorder + tag));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the SDK on real pages, in Chromium', () => {
  const suite = useSuite();

  it('records a dismiss marker inside an open shadow root as a dismiss, the rest of the widget as a click', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const sent = recordWire(context);
    const page = await suite.open(context, shop, 'sdk-shadow.html');
    await widgetEvents(suite, shop, sent, 'shadow-offer', ['instance']);
    await page.click('#close-icon');
    await page.click('#cta');
    await flush(page);
    await widgetEvents(suite, shop, sent, 'shadow-offer', ['instance', 'dismiss', 'click']);
  });

  it('counts as shown: not at opacity 0, a reused node under its new id, a block larger than the viewport at half of it', async () => {
    const shop = await suite.newShop();
    const context = await suite.newVisitor();
    const wire = recordWire(context);
    const sent = onWire(wire);
    const page = await suite.open(context, shop, 'sdk-visibility.html');
    await sent('route-a', ['instance']);
    // Three viewports tall: 200 px of an 800 px viewport is not half of it, 500 px is.
    const top = await page.evaluate(() => document.getElementById('tall')!.offsetTop);
    await page.evaluate((y) => window.scrollTo(0, y), top - 600);
    await page.waitForTimeout(300);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#route');
    await sent('route-b', ['instance']);
    await sent('faded-popup', []);
    await sent('tall-block', []);
    await page.click('#open');
    await sent('faded-popup', ['instance']);
    await page.evaluate((y) => window.scrollTo(0, y), top - 300);
    await sent('tall-block', ['instance']);
    // The old id's showing ended with the route; the node counts under the new one.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#reused');
    await flush(page);
    await sent('route-b', ['instance', 'click']);
    await sent('route-a', ['instance']);
    // And the collector stored what was sent.
    await widgetEvents(suite, shop, wire, 'route-b', ['instance', 'click']);
  });

  it("keeps one visitor across the store's subdomains (the cookie on the registrable domain)", async () => {
    const port = new URL(suite.storefront.origin).port;
    const hosts = ['www.shop.localhost', 'checkout.shop.localhost'];
    const shop = await suite.api.createSite(hosts.map((h) => `http://${h}:${port}`));
    const context = await suite.newVisitor();
    const sent = recordWire(context);
    const ids: string[] = [];
    for (const host of hosts) {
      const url = new URL(
        suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: suite.collector.origin }),
      );
      url.hostname = host;
      const page = await context.newPage();
      await page.goto(url.toString());
      await ready(page);
      await page.click('#popup-cta');
      await flush(page);
      ids.push(await visitorId(page));
    }
    expect(ids[1]).toBe(ids[0]);
    const cookies = (await context.cookies()).filter((c) => c.name === 'lt_v');
    expect(cookies.map((c) => [c.domain, c.value])).toEqual([['.shop.localhost', ids[0]]]);
    const stored = await eventually(
      () => storedOf(suite, shop, sent),
      (events) => events.filter((e) => e.t === 'click').length === 2,
    );
    expect(new Set(stored.map((e) => e.v))).toEqual(new Set([ids[0]]));
  });

  describe('on a storefront that allows the back/forward cache and mounts the collector under /lt', () => {
    let browser: Browser;
    let store: Awaited<ReturnType<typeof startOwnStore>>;
    beforeAll(async () => {
      const tag = `<script>window.lasttouch=window.lasttouch||function(){(lasttouch.q=lasttouch.q||[]).push(arguments)}</script>`;
      // The site's key is filled in per test through the query: the tag reads it from a data attribute.
      store = await startOwnStore(
        suite.collector.origin,
        `${tag}<script>const s=document.createElement('script');s.src='/lasttouch.js';s.dataset.site=new URLSearchParams(location.search).get('k');s.dataset.api='/lt';document.head.append(s)</script>`,
      );
      // The harness's browser runs with the back/forward cache off (Playwright's default).
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        ignoreDefaultArgs: ['--disable-back-forward-cache'],
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await store?.close();
    });

    it('sends to a relative data-api, resolved against the page (the first-party mount)', async () => {
      const shop = await suite.api.createSite([store.origin]);
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      const sent = recordWire(context);
      const urls: string[] = [];
      context.on('request', (req) => {
        if (req.method() === 'POST') urls.push(req.url());
      });
      const page = await context.newPage();
      await page.goto(`${store.origin}/widgets.html?k=${shop.writeKey}`);
      await ready(page);
      await page.click('#popup-cta');
      await flush(page);
      await widgetEvents(suite, shop, sent, 'spring-sale', ['instance', 'click']);
      expect(new Set(urls)).toEqual(new Set([`${store.origin}/lt/v1/events`]));
      await context.close();
    });

    it('counts the widgets shown again when a page is restored from the back/forward cache', async () => {
      const shop = await suite.api.createSite([store.origin]);
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      const sent = recordWire(context);
      const page = await context.newPage();
      await page.goto(`${store.origin}/widgets.html?k=${shop.writeKey}`);
      await ready(page);
      await widgetEvents(suite, shop, sent, 'spring-sale', ['instance']);
      await Promise.all([page.waitForURL(/other\.html/), page.click('#leave')]);
      // A restore from the cache fires no load event.
      await page.goBack({ waitUntil: 'commit' });
      // Restored from the cache (persisted), not loaded again.
      await page.waitForFunction(() => (window as unknown as { __shows: boolean[] }).__shows.length === 2);
      expect(await page.evaluate(() => (window as unknown as { __shows: boolean[] }).__shows)).toEqual([false, true]);
      await widgetEvents(suite, shop, sent, 'spring-sale', ['instance', 'instance']);
      await page.click('#popup-cta');
      await flush(page);
      await widgetEvents(suite, shop, sent, 'spring-sale', ['instance', 'instance', 'click']);
      await context.close();
    });
  });
});
