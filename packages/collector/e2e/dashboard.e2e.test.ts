/**
 * The merchant dashboard in a real Chromium against `wrangler dev`: a visit of the demo
 * storefront read back from every table, the daily chart and its days in the site's time zone,
 * CSV downloads equal to the JSON rows, lift once visitors are held out, order lookup, refused
 * settings, phone width, errors in words, and axe-core.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type {
  ChatStatsResponse,
  DailyStatsRow,
  ErrorBody,
  GroupStatsRow,
  LiftResponse,
  LinkResponse,
  StatsEnvelope,
  TopActionRow,
  WidgetCounts,
  WidgetStatsRow,
} from '@lasttouch/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Answers,
  axeViolations,
  cell,
  type DemoVisit,
  downloadCsv,
  money,
  openDashboard,
  openDemo,
  pickRange,
  placeOrder,
  readTable,
  reloading,
  reportDrops,
  settled,
  sorted,
  todayRange,
  visitDemo,
} from './dashboard-session.js';
import { eventually } from './harness/api.js';
import { orderDetail } from './harness/stats.js';
import type { Shop } from './harness/suite.js';
import { useSuite } from './harness/suite.js';

const artifacts = fileURLToPath(new URL('../../../artifacts/', import.meta.url));

const answer = <T>(answers: Answers, path: string): T => {
  const found = answers.get(path);
  if (!found) throw new Error(`the page never received ${path}`);
  return found.body as T;
};

/** Counts stand on a group's first row only: the page leaves them blank on its other rows. */
const firstRows = <Row>(rows: Row[], key: (row: Row) => string): boolean[] => {
  const seen = new Set<string>();
  return rows.map((row) => {
    const first = !seen.has(key(row));
    seen.add(key(row));
    return first;
  });
};

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The cells of a widget or daily row's counts, as the tables write them. */
const countCells = (r: WidgetCounts) => ({
  instances: cell(r.instances),
  clicks: cell(r.clicks),
  hovers: cell(r.hovers),
  dismisses: cell(r.dismisses),
  orders: cell(r.orders),
  value: cell(r.value),
});

/** The daily table's raw values, as the API's rows give them. */
const dailyValues = (rows: DailyStatsRow[]) =>
  rows.map((r) => ({ date: r.date, ...countCells(r), droppedEvents: cell(r.droppedEvents) }));

/**
 * Ends a dashboard test: no serious or critical axe violation and no page problem; a full-page
 * screenshot in the artifacts when named; then the browser context is closed.
 */
async function closeClean(session: { page: Page; context: BrowserContext; problems: string[] }, screenshot?: string) {
  expect(await axeViolations(session.page)).toEqual([]);
  expect(session.problems).toEqual([]);
  if (screenshot) {
    await mkdir(artifacts, { recursive: true });
    await session.page.screenshot({ path: `${artifacts}${screenshot}.png`, fullPage: true });
  }
  await session.context.close();
}

/** Opens the daily table (it sits in a `<details>`). */
const openDaily = async (page: Page) => {
  if (!(await page.locator('#daily details').evaluate((d) => (d as HTMLDetailsElement).open))) {
    await page.locator('#daily details summary').click();
  }
};

describe('the merchant dashboard', () => {
  const suite = useSuite();
  let shop: Shop;
  let visit: DemoVisit;
  const range = todayRange();
  const today = day(Date.now());
  /** Events the shop's browsers reported dropping from full queues. */
  const DROPPED = 5;

  beforeAll(async () => {
    shop = await suite.newShop();
    await suite.api.put('/v1/settings', shop.readKey, { allowedOrigins: [suite.collector.origin] });
    visit = await visitDemo(suite, shop);
    await reportDrops(suite, shop, DROPPED);
  });

  it('shows exactly what the API answers for the range, explains the demo order, and refuses an invalid window', async () => {
    const { page, context, answers, problems, document } = await openDashboard(suite, shop);
    const csp = document?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(document?.headers()['cache-control']).toBe('no-cache');
    const script = await page.locator('script[type=module]').getAttribute('src');
    const asset = await fetch(new URL(script ?? '', page.url()));
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${suite.collector.origin}/dashboard/`, { redirect: 'manual' })).headers.get('location')).toBe(
      '/dashboard',
    );

    await pickRange(page, range.from, range.to);
    for (const path of ['/v1/stats/widgets', '/v1/stats/campaigns', '/v1/stats/chat', '/v1/stats/top-actions']) {
      expect(Object.fromEntries(answers.get(path)?.url.searchParams ?? [])).toMatchObject(range);
    }

    // Widgets: every API row, its raw values, and the rates derived from them.
    const widgets = answer<StatsEnvelope<WidgetStatsRow>>(answers, '/v1/stats/widgets');
    expect(widgets.rows.find((r) => r.id === 'spring-sale')).toMatchObject({ clicks: 1 });
    expect(widgets.rows.find((r) => r.id === visit.widgetOrder.credited?.id)).toMatchObject({ orders: 1 });
    const widgetFirst = firstRows(widgets.rows, (r) => `${r.kind} ${r.id}`);
    const widgetTable = await readTable(page, '#widgets-table');
    expect(sorted(widgetTable.values.map(({ clickRate, ordersPerClick, valuePerInstance, ...raw }) => raw))).toEqual(
      sorted(
        widgets.rows.map((r) => ({
          id: r.id,
          kind: r.kind,
          campaign: cell(r.campaign),
          sequence: cell(r.sequence),
          ...countCells(r),
        })),
      ),
    );
    expect(
      sorted(
        widgetTable.texts.map((t) => ({
          id: t.id ?? '',
          instances: t.instances ?? '',
          clicks: t.clicks ?? '',
          orders: t.orders ?? '',
        })),
      ),
    ).toEqual(
      sorted(
        widgets.rows.map((r, i) => ({
          id: r.id,
          instances: widgetFirst[i] ? String(r.instances) : '',
          clicks: widgetFirst[i] ? String(r.clicks) : '',
          orders: String(r.orders),
        })),
      ),
    );
    const popup = widgetTable.values.find((v) => v.id === 'spring-sale')!;
    const popupRow = widgets.rows.find((r) => r.id === 'spring-sale')!;
    expect(Number(popup.clickRate)).toBeCloseTo(popupRow.clicks / popupRow.instances);
    const earner = widgets.rows.find((r) => r.orders > 0)!;
    expect(widgetTable.texts.find((t) => t.id === earner.id)?.value).toBe(money(earner.value, earner.currency!));
    expect(Number(widgetTable.values.find((v) => v.id === earner.id)?.ordersPerClick)).toBeCloseTo(
      earner.orders / earner.clicks,
    );

    // Campaigns and sequences.
    for (const kind of ['campaigns', 'sequences'] as const) {
      const api = answer<StatsEnvelope<GroupStatsRow>>(answers, `/v1/stats/${kind}`);
      const table = await readTable(page, `#${kind}-table`);
      expect(sorted(table.values)).toEqual(
        sorted(
          api.rows.map((r) => ({
            id: r.id,
            started: cell(r.started),
            profiles: cell(r.profiles),
            orders: cell(r.orders),
            value: cell(r.value),
          })),
        ),
      );
    }

    // Chats by channel: the demo's tagged link earned the second order.
    const chat = answer<ChatStatsResponse>(answers, '/v1/stats/chat');
    expect(chat.rows).toEqual([
      expect.objectContaining({ group: 'whatsapp', contacts: 1, transactionsAfterContact: 1 }),
    ]);
    const chatTable = await readTable(page, '#chat-table');
    expect(sorted(chatTable.values)).toEqual(
      sorted(
        chat.rows.map((r) => ({
          group: r.group,
          contacts: cell(r.contacts),
          transactionsAfterContact: cell(r.transactionsAfterContact),
          conversionRate: cell(r.conversionRate),
          turnoverAfterContact: cell(r.turnoverAfterContact),
          averageOrderValueAfterContact: cell(r.averageOrderValueAfterContact),
          averageSecondsBeforePurchase: cell(r.averageSecondsBeforePurchase),
          turnoverPerContact: cell(r.turnoverPerContact),
        })),
      ),
    );

    // Top actions, in the API's order.
    const top = answer<StatsEnvelope<TopActionRow>>(answers, '/v1/stats/top-actions');
    expect((await readTable(page, '#top-actions-table')).values).toEqual(
      top.rows.map((r) => ({ action: r.action, channel: cell(r.channel), orders: cell(r.orders) })),
    );

    // Totals: the two demo orders were both credited, one to the pop-up and one to the link.
    const widgetOrders = widgets.rows.reduce((n, r) => n + r.orders, 0);
    const chatOrders = chat.rows.reduce((n, r) => n + r.transactionsAfterContact, 0);
    expect(await page.locator('[data-total=credited]').textContent()).toBe(String(widgetOrders + chatOrders));
    expect(widgetOrders + chatOrders).toBe(2);
    expect(visit.widgetOrder.credited).toMatchObject({ action: 'popup_click', id: 'spring-sale' });
    expect(await page.locator('[data-total=orderShare]').textContent()).toBe('100%');
    // Events browsers dropped: the daily answer's, site-wide.
    const daily = answer<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
    expect(daily.rows.reduce((n, r) => n + r.droppedEvents, 0)).toBe(DROPPED);
    expect(await page.locator('[data-total=dropped]').textContent()).toBe(String(DROPPED));

    // Order lookup: what earned the order placed after the landing, and why the widget clicks lost.
    await page.fill('#order-id', visit.linkOrder.orderId);
    await page.click('#orders button[type=submit]');
    await page.waitForSelector('#order-detail');
    expect(await page.locator('#order-detail [data-field=verified]').textContent()).toMatch(
      /^No: reported by the browser only/,
    );
    expect(await page.locator('#order-detail [data-field=credited]').textContent()).toMatch(
      /^Tagged link opened from whatsapp, conversation conversation-1, /,
    );
    const candidates = await page.locator('#order-detail [data-field=candidate]').allTextContents();
    expect(candidates).toHaveLength(visit.linkOrder.candidates.length);
    const lostClick = visit.linkOrder.candidates.find((c) => c.action === 'popup_click');
    expect(lostClick).toBeDefined();
    expect(
      candidates.some((c) => c.startsWith('Pop-up click on “spring-sale”') && c.endsWith(`lost, ${lostClick?.lost}.`)),
    ).toBe(true);

    // Settings: a zero window is refused with the API's own message, beside the field, and nothing changes.
    const before = await suite.api.get<unknown>('/v1/settings', shop.readKey);
    await page.fill('#settings-window-default', '0');
    const put = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/v1/settings' && r.request().method() === 'PUT',
    );
    await page.click('form.settings button[type=submit]');
    const refusal = (await (await put).json()) as ErrorBody;
    expect((await put).status()).toBe(400);
    const issue = (refusal.error.details as { path: string; message: string }[]).find(
      (d) => d.path === 'attributionWindows.default',
    );
    expect(issue).toBeDefined();
    await page.waitForSelector('#settings-window-default-error');
    expect(await page.locator('#settings-window-default-error').textContent()).toBe(issue?.message);
    expect(await page.locator('#settings-window-default').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#settings-refused').textContent()).toContain(refusal.error.message);
    expect(await suite.api.get<unknown>('/v1/settings', shop.readKey)).toEqual(before);

    // Accessible: no serious or critical axe violation, with every part shown (order, refusal).
    await closeClean({ page, context, problems }, 'dashboard-desktop');
  });

  it('charts the days of the preset ranges, today included, as the API counts them', async () => {
    const { page, context, answers, problems } = await openDashboard(suite, shop);
    await settled(page);
    // The default range is the API's: the last 30 days, today included.
    const widgets = answer<StatsEnvelope<unknown>>(answers, '/v1/stats/widgets');
    expect(day(Date.parse(widgets.to) - 1)).toBe(today);
    expect(day(Date.parse(widgets.from))).toBe(day(Date.now() - 29 * 86_400_000));
    await page.waitForSelector('#widgets-table tbody tr');

    for (const preset of ['today', '7d'] as const) {
      await reloading(page, () => page.check(`input[name=range][value="${preset}"]`));
      const daily = answer<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
      expect(daily.timezone).toBe('UTC');
      expect(daily.rows.find((r) => r.date === today)).toMatchObject({ droppedEvents: DROPPED });
      expect(daily.rows.find((r) => r.date === today)?.instances).toBeGreaterThan(0);
      const days = (await page.locator('.chart').getAttribute('data-days'))?.split(' ');
      expect(days).toHaveLength(preset === 'today' ? 1 : 7);
      expect(days?.at(-1)).toBe(today);
      expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
      await openDaily(page);
      expect(sorted((await readTable(page, '#daily-table')).values)).toEqual(sorted(dailyValues(daily.rows)));
    }
    await closeClean({ page, context, problems });
  });

  it('downloads each table as the API’s CSV, equal to the JSON rows it shows', async () => {
    const { page, context, answers } = await openDashboard(suite, shop);
    await settled(page);
    await openDaily(page);
    const tables: [string, string, string][] = [
      ['widgets', '/v1/stats/widgets', '#widgets-table'],
      ['campaigns', '/v1/stats/campaigns', '#campaigns-table'],
      ['sequences', '/v1/stats/sequences', '#sequences-table'],
      ['chats by channel', '/v1/stats/chat', '#chat-table'],
      ['top actions', '/v1/stats/top-actions', '#top-actions-table'],
      ['daily numbers', '/v1/stats/daily', '#daily-table'],
    ];
    for (const [what, path, table] of tables) {
      const json = answer<{ rows: Record<string, unknown>[] }>(answers, path);
      expect(json.rows.length, `${path} has rows`).toBeGreaterThan(0);
      const [header, ...lines] = await downloadCsv(page, `${table} button[aria-label="Download ${what} as CSV"]`);
      expect(header, path).toEqual(Object.keys(json.rows[0]!));
      expect(lines, path).toEqual(json.rows.map((row) => header!.map((name) => cell(row[name]))));
    }
    await context.close();
  });

  it('hides lift while no visitor is held out, and shows the API’s lift once some are', async () => {
    const { page, context, answers } = await openDashboard(suite, shop);
    await settled(page);
    expect(answer<LiftResponse>(answers, '/v1/stats/lift').rows).toEqual([]);
    expect(await page.locator('#lift').count()).toBe(0);
    await context.close();

    // Visitors of a tag with a 50 % holdout, until both cohorts ordered.
    const held = await suite.newShop();
    const cohorts = { exposed: 0, holdout: 0 };
    for (let i = 0; i < 40 && (cohorts.exposed < 2 || cohorts.holdout < 2); i++) {
      const visitor = await suite.newVisitor();
      const store = await suite.open(visitor, held, 'widgets.html', 'data-holdout="50"', { order: `h-${i}` });
      const cohort = await store.evaluate(
        () => new Promise<string>((resolve) => window.lasttouch('cohort', (c: string) => resolve(c))),
      );
      cohorts[cohort as keyof typeof cohorts]++;
      await store.click('#checkout');
      await store.evaluate(() => window.lasttouch('flush'));
      await visitor.close();
    }
    // Every visitor ordered: wait until each group counts them all as converters.
    const counted = (l: LiftResponse) =>
      l.rows.length > 0 &&
      l.rows.every((r) => r.exposed.converters === cohorts.exposed && r.holdout.converters === cohorts.holdout);
    const [site, byCampaign] = await Promise.all(
      ['site', 'campaign'].map((groupBy) =>
        eventually(
          () => suite.api.get<LiftResponse>(`/v1/stats/lift?groupBy=${groupBy}`, held.readKey),
          counted,
          30_000,
        ),
      ),
    );
    const merchant = await openDashboard(suite, held);
    await settled(merchant.page);
    await merchant.page.waitForSelector('#lift-table tbody tr');
    expect(await merchant.page.locator('#lift-site').textContent()).toContain(
      `(${site!.rows[0]!.exposed.visitors} visitors)`,
    );
    const shown = await readTable(merchant.page, '#lift-table');
    expect(
      sorted(
        shown.values.map((v) => ({ group: v.group ?? '', visitors: v['exposed.visitors'] ?? '', lift: v.lift ?? '' })),
      ),
    ).toEqual(
      sorted(byCampaign!.rows.map((r) => ({ group: r.group, visitors: cell(r.exposed.visitors), lift: cell(r.lift) }))),
    );
    expect(await axeViolations(merchant.page)).toEqual([]);
    await merchant.page.screenshot({ path: `${artifacts}dashboard-lift.png`, fullPage: true });
    await merchant.context.close();
  });

  it('works at phone width: nothing wider than the screen, tables scroll in their own region', async () => {
    // The default range: the API's own (the last 30 days, today included).
    const { page, context, problems, answers } = await openDashboard(suite, shop, { width: 375, height: 812 });
    await page.waitForSelector('#widgets-table tbody tr');
    expect(answers.get('/v1/stats/widgets')?.url.search).toBe('');
    expect(await page.locator('#widgets-table tbody tr').count()).toBe(
      answer<StatsEnvelope<WidgetStatsRow>>(answers, '/v1/stats/widgets').rows.length,
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await closeClean({ page, context, problems }, 'dashboard-phone');
  });

  it('says in words what went wrong: a wrong key, 429, 503, a collector out of reach', async () => {
    const { page, context } = await openDashboard(
      suite,
      { ...shop, readKey: 'ltr_wrong-key' },
      undefined,
      '.key-form [role=alert]',
    );
    expect(await page.locator('[role=alert]').textContent()).toMatch(/did not accept this key \(401: /);
    expect(await axeViolations(page)).toEqual([]);

    const faults: [string, (route: import('playwright-core').Route) => Promise<void>, RegExp][] = [
      [
        '429',
        (route) =>
          route.fulfill({
            status: 429,
            headers: { 'Retry-After': '60', 'content-type': 'application/json' },
            body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests' } }),
          }),
        /Too many requests: the collector asks to wait 60 s/,
      ],
      [
        '503',
        (route) =>
          route.fulfill({
            status: 503,
            headers: { 'Retry-After': '5', 'content-type': 'application/json' },
            body: JSON.stringify({ error: { code: 'unavailable', message: 'Storage is unavailable' } }),
          }),
        /not able to answer right now \(503: Storage is unavailable\)/,
      ],
      ['down', (route) => route.abort('connectionrefused'), /could not be reached/],
    ];
    for (const [, fault, words] of faults) {
      await page.unrouteAll();
      await page.route('**/v1/stats/widgets*', fault);
      await page.fill('#read-key', shop.readKey);
      await page.click('form.key-form button[type=submit]');
      await page.waitForSelector('#overview [role=alert]');
      expect(await page.locator('#overview [role=alert]').textContent()).toMatch(words);
      await page.click('#forget-key');
    }
    await context.close();
  });

  it('stores an agent’s hours and shows the turnover per hour the API counts from them', async () => {
    const agentShop = await suite.newShop();
    await suite.api.put('/v1/settings', agentShop.readKey, { allowedOrigins: [suite.collector.origin] });
    const link = await suite.api.post<LinkResponse>(
      '/v1/links',
      agentShop.agentKey,
      { url: `${suite.collector.origin}/demo/`, conversation: 'conversation-ana', channel: 'chat', agent: 'ana' },
      201,
    );
    const visitor = await suite.newVisitor();
    const store = await openDemo(suite, visitor, agentShop, new URL(link.url).pathname + new URL(link.url).search);
    await store.waitForFunction(() => !location.search.includes('lt_c='));
    const orderId = await placeOrder(store);
    await orderDetail(suite.api, agentShop, orderId, (o) => o.credited?.action === 'link_landing');
    await visitor.close();
    const byAgent = () => suite.api.get<ChatStatsResponse>('/v1/stats/chat?groupBy=agent', agentShop.readKey);
    await eventually(byAgent, (chat) => chat.rows.some((r) => r.group === 'ana' && r.transactionsAfterContact === 1));

    const { page, context, problems } = await openDashboard(suite, agentShop);
    await settled(page);
    await page.selectOption('#chats select', 'agent');
    await page.waitForSelector('#agent-hours-hours');
    expect(await page.inputValue('#agent-hours-agent')).toBe('ana');
    expect(await page.inputValue('#agent-hours-date')).toBe(today);
    // Refused with the API's message beside the field; then stored.
    await page.fill('#agent-hours-hours', '25');
    await page.click('form.agent-hours button[type=submit]');
    await page.waitForSelector('#agent-hours-hours-error');
    expect(await page.locator('#agent-hours-hours').getAttribute('aria-invalid')).toBe('true');
    await page.fill('#agent-hours-hours', '4');
    const reloaded = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/v1/stats/chat' && r.request().url().includes('groupBy=agent'),
    );
    await page.click('form.agent-hours button[type=submit]');
    await page.waitForSelector('#agent-hours-saved');
    await reloaded;
    const chat = await byAgent();
    const ana = chat.rows.find((r) => r.group === 'ana');
    expect(ana?.turnoverPerHour).toBeCloseTo(ana!.turnoverAfterContact / 4, 1);
    await page.waitForFunction(
      (value) =>
        document.querySelector('#chat-table td[data-col="turnoverPerHour"]')?.getAttribute('data-value') === value,
      String(ana?.turnoverPerHour),
    );
    await closeClean({ page, context, problems });
  });

  // Last: it moves the shop's days for the tests after it.
  it('moves the daily chart’s days when the site’s time zone changes', async () => {
    // A zone where the demo's events fall on another date than in UTC, whatever the hour now.
    const hour = new Date().getUTCHours();
    const zone = hour >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    const moved = day(Date.now() + (hour >= 10 ? 1 : -1) * 86_400_000);
    const { page, context, answers } = await openDashboard(suite, shop);
    await settled(page);
    await reloading(page, () => page.check('input[name=range][value="7d"]'));
    const before = answer<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
    expect(before.rows.filter((r) => r.instances > 0).map((r) => r.date)).toEqual([today]);

    await page.fill('#settings-timezone', zone);
    await reloading(page, () => page.click('form.settings button[type=submit]'));
    await page.waitForSelector('#settings-saved');
    expect(await page.locator('.range legend').textContent()).toBe(`Range (days in ${zone})`);
    // The collector re-counts within a minute; until then, ask again.
    await eventually(
      () =>
        suite.api.get<StatsEnvelope<DailyStatsRow>>(
          `/v1/stats/daily?from=${day(Date.now() - 7 * 86_400_000)}&to=${moved}`,
          shop.readKey,
        ),
      (d) => d.timezone === zone && d.rows.some((r) => r.date === moved && r.instances > 0),
      90_000,
    );
    await reloading(page, () => page.check('input[name=range][value="30d"]'));
    await reloading(page, () => page.check('input[name=range][value="7d"]'));
    const after = answer<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
    expect(after.timezone).toBe(zone);
    expect(after.rows.filter((r) => r.instances > 0).map((r) => r.date)).toEqual([moved]);
    expect((await page.locator('.chart').getAttribute('data-days'))?.split(' ')).toContain(moved);
    expect(await page.locator('#range-text').textContent()).toContain(`days in ${zone}`);
    await openDaily(page);
    expect(
      (await readTable(page, '#daily-table')).values.filter((v) => v.instances !== '0').map((v) => v.date),
    ).toEqual([moved]);
    await context.close();
  });
});
