/**
 * The dashboard's parts that read the API of issue 16 part 1 and of the holdout issue:
 * `GET /v1/stats/daily`, CSV on every stats route, the `timezone` setting with dates read as
 * the site's days (`to` included), and `GET /v1/stats/lift`.
 */
import { readFile } from 'node:fs/promises';
import type { DailyStatsRow, LiftResponse, StatsEnvelope } from '@lasttouch/shared';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Answers, axeViolations, cell, openDashboard, readTable, sorted, visitDemo } from './dashboard-session.js';
import { eventually } from './harness/api.js';
import type { Shop } from './harness/suite.js';
import { useSuite } from './harness/suite.js';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Clicks a table's CSV button and reads the file the browser saved. */
async function downloadCsv(page: Page, button: string): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = await download.path();
  return parseCsv(await readFile(path, 'utf8'));
}

const bodyOf = <T>(answers: Answers, path: string): T => {
  const found = answers.get(path);
  if (!found) throw new Error(`the page never received ${path}`);
  return found.body as T;
};

/** Waits until the page has loaded the range it shows now. */
const settled = (page: Page) =>
  page.waitForFunction(() => document.querySelector('#overview')?.getAttribute('aria-busy') === 'false');

/** Does `action` and waits until the page has loaded the range it asked for. */
async function reloading(page: Page, action: () => Promise<unknown>): Promise<void> {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/stats/widgets');
  await action();
  await answered;
  await settled(page);
}

describe('the dashboard on the API of daily stats, CSV, site time zones and lift', () => {
  const suite = useSuite();
  let shop: Shop;
  const today = day(Date.now());

  beforeAll(async () => {
    shop = await suite.newShop();
    await suite.api.put('/v1/settings', shop.readKey, { allowedOrigins: [suite.collector.origin] });
    await visitDemo(suite, shop);
  });

  it('charts the days of the preset ranges, today included, as the API counts them', async () => {
    const { page, context, answers, problems } = await openDashboard(suite, shop);
    await settled(page);
    // The default range is the API's: the last 30 days, today included.
    const widgets = bodyOf<StatsEnvelope<unknown>>(answers, '/v1/stats/widgets');
    expect(day(Date.parse(widgets.to) - 1)).toBe(today);
    expect(day(Date.parse(widgets.from))).toBe(day(Date.now() - 29 * 86_400_000));
    await page.waitForSelector('#widgets-table tbody tr');

    for (const preset of ['today', '7d'] as const) {
      await reloading(page, () => page.check(`input[name=range][value="${preset}"]`));
      const daily = bodyOf<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
      expect(daily.timezone).toBe('UTC');
      expect(daily.rows.find((r) => r.date === today)?.instances).toBeGreaterThan(0);
      const days = (await page.locator('.chart').getAttribute('data-days'))?.split(' ');
      expect(days).toHaveLength(preset === 'today' ? 1 : 7);
      expect(days?.at(-1)).toBe(today);
      expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
      await page.locator('#daily details summary').click();
      const table = await readTable(page, '#daily-table');
      expect(sorted(table.values)).toEqual(
        sorted(
          daily.rows.map((r) => ({
            date: r.date,
            instances: cell(r.instances),
            clicks: cell(r.clicks),
            hovers: cell(r.hovers),
            dismisses: cell(r.dismisses),
            orders: cell(r.orders),
            value: cell(r.value),
          })),
        ),
      );
      await page.locator('#daily details summary').click();
    }
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('downloads each table as the API’s CSV, equal to the JSON rows it shows', async () => {
    const { page, context, answers } = await openDashboard(suite, shop);
    await settled(page);
    const tables: [string, string, string][] = [
      ['widgets', '/v1/stats/widgets', '#widgets-table'],
      ['campaigns', '/v1/stats/campaigns', '#campaigns-table'],
      ['sequences', '/v1/stats/sequences', '#sequences-table'],
      ['chats by channel', '/v1/stats/chat', '#chat-table'],
      ['top actions', '/v1/stats/top-actions', '#top-actions-table'],
      ['daily numbers', '/v1/stats/daily', '#daily-table'],
    ];
    for (const [what, path, table] of tables) {
      const json = bodyOf<{ rows: Record<string, unknown>[] }>(answers, path);
      expect(json.rows.length, `${path} has rows`).toBeGreaterThan(0);
      if (table === '#daily-table') await page.locator('#daily details summary').click();
      const [header, ...lines] = await downloadCsv(page, `${table} button[aria-label="Download ${what} as CSV"]`);
      expect(header, path).toEqual(Object.keys(json.rows[0]!));
      expect(lines, path).toEqual(json.rows.map((row) => header!.map((name) => cell(row[name]))));
    }
    await context.close();
  });

  it('moves the daily chart’s days when the site’s time zone changes', async () => {
    // A zone where the demo's events fall on another date than in UTC, whatever the hour now.
    const hour = new Date().getUTCHours();
    const zone = hour >= 10 ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    const moved = day(Date.now() + (hour >= 10 ? 1 : -1) * 86_400_000);
    const { page, context, answers } = await openDashboard(suite, shop);
    await settled(page);
    await reloading(page, () => page.check('input[name=range][value="7d"]'));
    const before = bodyOf<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
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
    const after = bodyOf<StatsEnvelope<DailyStatsRow>>(answers, '/v1/stats/daily');
    expect(after.timezone).toBe(zone);
    expect(after.rows.filter((r) => r.instances > 0).map((r) => r.date)).toEqual([moved]);
    expect((await page.locator('.chart').getAttribute('data-days'))?.split(' ')).toContain(moved);
    expect(await page.locator('#range-text').textContent()).toContain(`days in ${zone}`);
    await page.locator('#daily details summary').click();
    expect(
      (await readTable(page, '#daily-table')).values.filter((v) => v.instances !== '0').map((v) => v.date),
    ).toEqual([moved]);
    await context.close();
  });

  it('hides lift while no visitor is held out, and shows the API’s lift once some are', async () => {
    const { page, context, answers } = await openDashboard(suite, shop);
    await settled(page);
    expect(bodyOf<LiftResponse>(answers, '/v1/stats/lift').rows).toEqual([]);
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
    const lift = await eventually(
      () => suite.api.get<LiftResponse>('/v1/stats/lift?groupBy=campaign', held.readKey),
      (l) => l.rows.length > 0,
      30_000,
    );
    const merchant = await openDashboard(suite, held);
    await settled(merchant.page);
    await merchant.page.waitForSelector('#lift-table tbody tr');
    const shown = await readTable(merchant.page, '#lift-table');
    expect(sorted(shown.values.map((v) => ({ group: v.group ?? '', lift: v.lift ?? '' })))).toEqual(
      sorted(lift.rows.map((r) => ({ group: r.group, lift: cell(r.lift) }))),
    );
    expect(await axeViolations(merchant.page)).toEqual([]);
    await merchant.context.close();
  });
});
