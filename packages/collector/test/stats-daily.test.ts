import { env } from 'cloudflare:workers';
import type { DailyStatsRow } from '@lasttouch/shared';
import { NO_WIDGET_COUNTS } from '@lasttouch/shared/testing';
import { describe, expect, it } from 'vitest';
import { dailyStats } from '../src/stats/daily.js';
import { parseStatsRange } from '../src/time/stats-range.js';
import { createShop, DAY, dateOf, HOUR, visitor } from './attribution-helpers.js';
import { uid } from './helpers.js';

/** `db` with D1's own rows read summed over every statement. */
function rowsReadOf(db: D1Database): { db: D1Database; rowsRead: () => number } {
  let rowsRead = 0;
  const wrapped = new Proxy(db, {
    get(target, prop) {
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements);
          for (const r of results) rowsRead += r.meta.rows_read ?? 0;
          return results;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: wrapped, rowsRead: () => rowsRead };
}

describe('GET /v1/stats/daily', () => {
  it('counts each local day of the site, narrowed by widget or campaign, and reads each slot cell once', async () => {
    // Los Angeles: a UTC day is split over two local days.
    const shop = await createShop({ timezone: 'America/Los_Angeles' });
    const now = Date.now();
    const utcMidnight = now - (now % DAY) - 2 * DAY;
    const a = visitor();
    const b = visitor();
    const at = (hours: number) => utcMidnight + hours * HOUR;
    const widget = (w: string, c: string) => ({ k: 'popup' as const, w, c });
    const ev = (who: { v: string; s: string }, ts: number, fields: Record<string, unknown>) => ({
      id: uid('ev'),
      ...who,
      ts,
      p: '/',
      ...fields,
    });
    await shop.send([
      // 02:00 UTC is the evening before in Los Angeles; 20:00 UTC the same local day.
      ev(a, at(2), { t: 'instance', ...widget('w1', 'spring') }),
      ev(a, at(2) + 1_000, { t: 'click', ...widget('w1', 'spring') }),
      ev(a, at(2) + 60_000, { t: 'checkout', o: uid('order'), val: 40, cur: 'EUR' }),
      ev(b, at(20), { t: 'instance', ...widget('w2', 'fall') }),
      ev(b, at(20) + 500, { t: 'dismiss', ...widget('w2', 'fall') }),
      ev(b, at(20) + 1_000, { t: 'click', ...widget('w2', 'fall') }),
      ev(b, at(20) + 60_000, { t: 'checkout', o: uid('order'), val: 15, cur: 'USD' }),
      ev(b, at(21), { t: 'drop', n: 3 }),
    ]);
    const local = (ms: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(new Date(ms));
    const evening = local(at(2));
    const day = local(at(20));
    const range = `from=${local(at(2) - DAY)}&to=${local(at(20) + DAY)}`;
    const rows = async (query: string) =>
      (await shop.get<{ rows: DailyStatsRow[] }>(`/v1/stats/daily?${range}${query}`)).rows.filter((r) =>
        [evening, day].includes(r.date),
      );
    const row = (date: string, fields: Partial<DailyStatsRow>): DailyStatsRow => ({
      date,
      ...NO_WIDGET_COUNTS,
      droppedEvents: 0,
      ...fields,
    });
    expect(await rows('')).toEqual([
      row(evening, { instances: 1, clicks: 1, orders: 1, value: 40, currency: 'EUR' }),
      row(day, { instances: 1, clicks: 1, dismisses: 1, orders: 1, value: 15, currency: 'USD', droppedEvents: 3 }),
    ]);
    expect(await rows('&widget=w2')).toEqual([
      row(evening, {}),
      row(day, { instances: 1, clicks: 1, dismisses: 1, orders: 1, value: 15, currency: 'USD' }),
    ]);
    expect(await rows('&campaign=spring')).toEqual([
      row(evening, { instances: 1, clicks: 1, orders: 1, value: 40, currency: 'EUR' }),
      row(day, {}),
    ]);
    expect(dateOf(at(2))).not.toBe(evening);

    // Rows read: at most the site's cells in the range, whatever the number of days.
    const parsed = parseStatsRange(
      { from: local(at(2) - 20 * DAY), to: local(at(20) + DAY) },
      'America/Los_Angeles',
      now,
    );
    if (!parsed.ok) throw new Error(parsed.message);
    const cells = await env.DB.prepare(
      `select (select count(*) from widget_slots where site_id = ?1) + (select count(*) from credit_slots where site_id = ?1)
        + (select count(*) from site_slots where site_id = ?1) as n`,
    )
      .bind(shop.siteId)
      .first<number>('n');
    const metered = rowsReadOf(env.DB);
    await dailyStats(metered.db, shop.siteId, parsed, false, null);
    // Each cell once, plus what SQLite counts besides: the credits' sort for `group by` reads its
    // cells again, and each of the three statements reads one row past its range (another site's:
    // test files share a database). Reading the cells once per day would be 20 times as many.
    expect(metered.rowsRead()).toBeLessThanOrEqual(2 * cells! + 3);
  });
});
