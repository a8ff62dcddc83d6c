import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type {
  ChatStatsResponse,
  ErrorBody,
  GroupStatsRow,
  StatsEnvelope,
  TopActionRow,
  WidgetStatsRow,
} from '@lasttouch/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Answers,
  axeViolations,
  cell,
  type DemoVisit,
  money,
  openDashboard,
  pickRange,
  readTable,
  sorted,
  todayRange,
  visitDemo,
} from './dashboard-session.js';
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

describe('the merchant dashboard, on what the collector serves today', () => {
  const suite = useSuite();
  let shop: Shop;
  let visit: DemoVisit;
  const range = todayRange();

  beforeAll(async () => {
    shop = await suite.newShop();
    await suite.api.put('/v1/settings', shop.readKey, { allowedOrigins: [suite.collector.origin] });
    visit = await visitDemo(suite, shop);
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
          instances: cell(r.instances),
          clicks: cell(r.clicks),
          hovers: cell(r.hovers),
          dismisses: cell(r.dismisses),
          orders: cell(r.orders),
          value: cell(r.value),
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
    expect(await page.locator('[data-total=orderShare]').textContent()).toBe('100%');

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
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard-desktop.png`, fullPage: true });
    await context.close();
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
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard-phone.png`, fullPage: true });
    await context.close();
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
});
