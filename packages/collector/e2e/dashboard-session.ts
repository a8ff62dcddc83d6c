/**
 * What the dashboard's end-to-end tests share: a visit of the demo storefront that leaves
 * instances, a click, orders and a tagged-link landing; the dashboard opened with the read key;
 * its tables read back as data; and an axe-core run inside the page.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DailyStatsRow, LinkResponse, OrderDetail, StatsEnvelope } from '@lasttouch/shared';
import type { BrowserContext, Page, Response } from 'playwright-core';
import demoSite from '../scripts/demo-site.json' with { type: 'json' };
import { parseCsv } from '../test/csv-reader.js';
import { call, eventually } from './harness/api.js';
import { orderDetail, widgetReaches } from './harness/stats.js';
import type { Shop, Suite } from './harness/suite.js';

const ready = (page: Page) =>
  page.waitForFunction(() => typeof window.lasttouch === 'function' && !('q' in window.lasttouch));

/**
 * The demo storefront (`/demo`, served by the collector) wired to `shop`: the page is the real
 * one, with the demo site's fixed keys swapped for the test shop's, so each test file starts
 * from an empty site without seeding the database behind the collector's back.
 */
export async function openDemo(suite: Suite, context: BrowserContext, shop: Shop, path = '/demo'): Promise<Page> {
  await context.route(
    (url) => url.origin === suite.collector.origin && (url.pathname === '/demo' || url.pathname === '/demo/'),
    async (route) => {
      const response = await route.fetch();
      const body = (await response.text())
        .replaceAll(demoSite.writeKey, shop.writeKey)
        .replaceAll(demoSite.agentKey, shop.agentKey);
      await route.fulfill({ response, body });
    },
  );
  const page = await context.newPage();
  await page.goto(`${suite.collector.origin}${path}`);
  await ready(page);
  return page;
}

/** Places an order with the demo's checkout form; returns its id. */
export async function placeOrder(page: Page): Promise<string> {
  await page.click('#checkout-form button[type=submit]');
  const text = await page.locator('#checkout-result').textContent();
  const orderId = /Order (\S+) placed/.exec(text ?? '')?.[1];
  if (!orderId) throw new Error(`no order placed: ${text}`);
  return orderId;
}

export interface DemoVisit {
  /** Placed after the pop-up click: credited to it. */
  widgetOrder: OrderDetail;
  /** Placed after the tagged-link landing: credited to the landing; the pop-up click before it lost. */
  linkOrder: OrderDetail;
}

/**
 * A visitor of the demo shop: sees the widgets, clicks the pop-up, orders with the demo's
 * checkout form (outside every widget); then opens a tagged link an agent sent (the demo's link
 * form) and orders again with the same form. Waits until the collector counts it all.
 */
export async function visitDemo(suite: Suite, shop: Shop): Promise<DemoVisit> {
  const context = await suite.newVisitor();
  const page = await openDemo(suite, context, shop);
  await widgetReaches(suite.api, shop, 'spring-sale', { instances: 1 });
  await page.click('#popup a');
  await widgetReaches(suite.api, shop, 'spring-sale', { clicks: 1 });
  const first = await placeOrder(page);
  const widgetOrder = await orderDetail(suite.api, shop, first, (o) => o.credited !== null);

  await page.fill('#link-conversation', 'conversation-1');
  await page.selectOption('#link-channel', 'whatsapp');
  await page.click('#link-form button[type=submit]');
  const link = await page.locator('#link-result a').getAttribute('href');
  if (!link) throw new Error('the demo made no tagged link');
  const tagged: LinkResponse = { url: link };
  await page.goto(tagged.url);
  await page.waitForFunction(() => !location.search.includes('lt_c='));
  await ready(page);
  const second = await placeOrder(page);
  const linkOrder = await orderDetail(suite.api, shop, second, (o) => o.credited?.action === 'link_landing');
  // The order is credited; wait until the stats read it too.
  await eventually(
    () => suite.api.get<{ rows: { transactionsAfterContact: number }[] }>('/v1/stats/chat', shop.readKey),
    (chat) => chat.rows.some((r) => r.transactionsAfterContact === 1),
  );
  await widgetReaches(suite.api, shop, widgetOrder.credited?.id ?? '', { orders: 1 });
  await context.close();
  return { widgetOrder, linkOrder };
}

/** Answers the page received, by route path (the latest of each). */
export type Answers = Map<string, { url: URL; body: unknown }>;

/** Per dashboard page: the latest stats request of each route, and the answers recorded. */
const records = new WeakMap<Page, { latest: Map<string, string>; answers: Answers }>();

/**
 * Waits until every route's latest request has its answer recorded: the page may be settled
 * while the record of a body it already drew is still being read.
 */
async function recorded(page: Page): Promise<void> {
  const record = records.get(page);
  if (!record) return;
  for (let waited = 0; ; waited += 20) {
    const missing = [...record.latest].filter(([path, href]) => record.answers.get(path)?.url.href !== href);
    if (missing.length === 0) return;
    if (waited > 10_000) throw new Error(`no answer recorded for ${missing.map(([, href]) => href).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens the dashboard in a merchant's browser and enters the read key. */
export async function openDashboard(
  suite: Suite,
  shop: Shop,
  viewport = { width: 1280, height: 900 },
  shown = '#range-text',
): Promise<{ page: Page; context: BrowserContext; answers: Answers; problems: string[]; document: Response | null }> {
  const context = await suite.browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const answers: Answers = new Map();
  const problems: string[] = [];
  // The page drops the answer to a request it has since replaced (a range changed meanwhile): so
  // does this record, keeping per route only the answer to the latest request.
  const latest = new Map<string, string>();
  const isStats = (url: URL) => url.pathname.startsWith('/v1/') && url.searchParams.get('format') !== 'csv';
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (isStats(url) && request.method() === 'GET') latest.set(url.pathname, url.href);
  });
  page.on('response', async (response) => {
    const url = new URL(response.url());
    if (!isStats(url) || latest.get(url.pathname) !== url.href) return;
    if (!response.ok()) {
      // An error answer is not recorded: the route no longer waits for one.
      latest.delete(url.pathname);
      return;
    }
    try {
      answers.set(url.pathname, { url, body: await response.json() });
    } catch {
      latest.delete(url.pathname);
    }
  });
  page.on('requestfailed', (request) => {
    const url = new URL(request.url());
    if (latest.get(url.pathname) === url.href) latest.delete(url.pathname);
  });
  records.set(page, { latest, answers });
  page.on('console', (message) => {
    // An error answer the page explains (a refused window, a wrong key): Chromium logs it too.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== suite.collector.origin) {
      problems.push(`loaded from another host: ${request.url()}`);
    }
  });
  const document = await page.goto(`${suite.collector.origin}/dashboard`);
  await page.fill('#read-key', shop.readKey);
  await page.click('form.key-form button[type=submit]');
  await page.waitForSelector(shown);
  await recorded(page);
  return { page, context, answers, problems, document };
}

/** Waits until the page has loaded the range it shows now. */
export const settled = (page: Page) =>
  page.waitForFunction(() => document.querySelector('#overview')?.getAttribute('aria-busy') === 'false');

/** Does `action` and waits until the page has loaded the range it asked for. */
export async function reloading(page: Page, action: () => Promise<unknown>): Promise<void> {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/stats/widgets');
  await action();
  await answered;
  await settled(page);
  await recorded(page);
}

/** Shows a custom range of dates and waits until its numbers are on the page. */
export async function pickRange(page: Page, from: string, to: string): Promise<void> {
  await page.check('input[name=range][value=custom]');
  await page.fill('input[name=from]', from);
  await page.fill('input[name=to]', to);
  const loaded = page.waitForResponse((r) => {
    const url = new URL(r.url());
    return (
      url.pathname === '/v1/stats/top-actions' &&
      url.searchParams.get('from') === from &&
      url.searchParams.get('to') === to
    );
  });
  await page.click('form.custom-range button[type=submit]');
  await loaded;
  await settled(page);
  await recorded(page);
}

/**
 * What a browser sends once it had to drop `n` events from its full queue (the SDK's `drop`
 * event); waits until today's daily row counts them.
 */
export async function reportDrops(suite: Suite, shop: Shop, n: number): Promise<void> {
  const now = Date.now();
  const drop = { t: 'drop', n, id: `drop-${now}`, v: 'dropvisitor0000001', s: 'dropsession', ts: now, p: '/demo' };
  await call(`${suite.collector.origin}/v1/events`, { body: { k: shop.writeKey, st: now, e: [drop] }, expect: 202 });
  await eventually(
    () => suite.api.get<StatsEnvelope<DailyStatsRow>>('/v1/stats/daily', shop.readKey),
    (daily) => daily.rows.reduce((sum, r) => sum + r.droppedEvents, 0) >= n,
  );
}

/** Clicks a table's CSV button and reads the file the browser saved. */
export async function downloadCsv(page: Page, button: string): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return parseCsv(await readFile(await download.path(), 'utf8'));
}

/** A table's body rows as `{column: data-value}` and `{column: text}`. */
export async function readTable(
  page: Page,
  selector: string,
): Promise<{ values: Record<string, string>[]; texts: Record<string, string>[] }> {
  return page.evaluate((sel) => {
    const rows = Array.from(document.querySelectorAll(`${sel} tbody tr`));
    const read = (attr: (td: HTMLElement) => string) =>
      rows.map((tr) =>
        Object.fromEntries(
          Array.from(tr.querySelectorAll<HTMLElement>('td'), (td) => [td.dataset.col ?? '', attr(td)]),
        ),
      );
    return { values: read((td) => td.dataset.value ?? ''), texts: read((td) => td.textContent ?? '') };
  }, selector);
}

/** A raw API value as the table's `data-value` holds it. */
export const cell = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/** The same rows in a stable order, for comparing sets of rows. */
export const sorted = <T extends Record<string, string>>(rows: T[]): T[] =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

export const money = (value: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(value);

const require = createRequire(import.meta.url);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core inside the page (evaluated over the DevTools protocol, so the page's CSP stays as it is). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

/** Today and tomorrow (UTC): a range that holds today's events whatever `to` means to the collector. */
export function todayRange(now = Date.now()): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(now), to: day(now + 86_400_000) };
}
