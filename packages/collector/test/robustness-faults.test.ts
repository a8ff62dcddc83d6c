/**
 * Issue 8, item 4 (collector side): D1 failing a share of writes and reads. The worker runs
 * unchanged (`app.fetch`) with `env.DB` wrapped in a thin proxy that fails seeded calls: a
 * batch fails before it commits, or after (committed, but the worker sees an error, as when a
 * connection drops), and single reads fail. Clients resend every batch until it is
 * acknowledged, and sometimes resend acknowledged ones (beacon duplicates). Then: no event
 * acknowledged and lost, every event stored once, stats equal a recount of what was sent.
 */
import { env } from 'cloudflare:workers';
import { seededRandom as rng } from '@lasttouch/shared/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.js';
import { BASE_URL, callWithKey, checkoutEvent, createSite, ingest, uid, widgetEvent } from './helpers.js';
import { RUNS, SEED } from './robustness-arbitraries.js';

const VISITORS = Math.max(60, Math.floor(RUNS / 2));
const MAX_ATTEMPTS = 60;

interface Faults {
  /** Share of `batch()` calls that fail, half before and half after committing. */
  batch: number;
  /** Share of single-statement reads and writes (`first`, `all`, `run`, `raw`) that fail. */
  single: number;
}

/** `db` whose calls fail as `faults` says; `stats` counts what was injected. */
function flaky(db: D1Database, random: () => number, faults: Faults) {
  const stats = { batchBefore: 0, batchAfter: 0, single: 0, calls: 0 };
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => {
            stats.calls++;
            if (random() < faults.single) {
              stats.single++;
              return Promise.reject(new Error('D1_ERROR: simulated read failure'));
            }
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql));
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          stats.calls++;
          const roll = random();
          if (roll < faults.batch / 2) {
            stats.batchBefore++;
            throw new Error('D1_ERROR: simulated failure before commit');
          }
          const result = await target.batch(statements.map((s) => real.get(s) ?? s));
          if (roll < faults.batch) {
            stats.batchAfter++;
            throw new Error('D1_ERROR: simulated failure after commit');
          }
          return result;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, stats };
}

const pendingMarkers = async (siteId: string) =>
  (await env.DB.prepare('select count(*) as n from attribution_queue where site_id = ?')
    .bind(siteId)
    .first<{ n: number }>())!.n;

const WIDGETS = [
  { k: 'popup', w: 'spring-sale', c: 'spring' },
  { k: 'notification', w: 'ship-free', c: 'spring' },
  { k: 'block', w: 'hero', c: 'fall' },
] as const;

describe('faults: D1 failing a share of calls', { timeout: 600_000 }, () => {
  beforeAll(() => {
    // The collector logs each failure; thousands of expected lines would drown the report.
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterAll(() => vi.restoreAllMocks());

  it('no acknowledged event is lost, retried batches land once, stats equal a recount', async () => {
    const random = rng(SEED);
    const site = await createSite();
    const { db, stats } = flaky(env.DB, random, { batch: 0.3, single: 0.05 });
    const send = (batch: unknown[]) =>
      app.fetch(
        new Request(`${BASE_URL}/v1/events`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({ k: site.writeKey, e: batch }),
        }),
        { ...env, DB: db },
      );

    // Each visitor: an instance and a click of one widget, then maybe an order after the click.
    const now = Date.now();
    const expected = new Map<string, { instances: number; clicks: number; orders: number; valueMinor: number }>();
    const batches: unknown[][] = [];
    const sentIds = new Set<string>();
    let ordersSent = 0;
    let valueSent = 0;
    for (let i = 0; i < VISITORS; i++) {
      const widget = WIDGETS[Math.floor(random() * WIDGETS.length)]!;
      const v = uid('visitor');
      const s = uid('session');
      const t0 = now - 3_600_000 + Math.floor(random() * 3_000_000);
      const events: Array<{ id: string }> = [
        widgetEvent({ ...widget, t: 'instance', v, s, ts: t0 }),
        widgetEvent({ ...widget, t: 'click', v, s, ts: t0 + 1_000 }),
      ];
      const row = expected.get(widget.w) ?? { instances: 0, clicks: 0, orders: 0, valueMinor: 0 };
      row.instances++;
      row.clicks++;
      if (random() < 0.6) {
        const val = Math.floor(random() * 10_000) / 100;
        events.push(checkoutEvent({ v, s, ts: t0 + 60_000, val, cur: 'EUR', o: uid('order') }));
        row.orders++;
        row.valueMinor += Math.round(val * 100);
        ordersSent++;
        valueSent += Math.round(val * 100);
      }
      expected.set(widget.w, row);
      for (const e of events) sentIds.add(e.id);
      // Split into one or two batches; they are sent in shuffled order (late and out of order).
      const cut = 1 + Math.floor(random() * events.length);
      batches.push(events.slice(0, cut));
      if (cut < events.length) batches.push(events.slice(cut));
    }
    for (let i = batches.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [batches[i], batches[j]] = [batches[j]!, batches[i]!];
    }

    const acknowledged = new Set<string>();
    const statuses = new Map<number, number>();
    let requests = 0;
    let duplicateResends = 0;
    let acceptedTotal = 0;
    for (const batch of batches) {
      let attempts = 0;
      for (;;) {
        attempts++;
        requests++;
        const res = await send(batch);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 202) {
          const body = await res.json<{ accepted: number; duplicates: number; rejected: unknown[] }>();
          expect(body.rejected).toEqual([]);
          expect(body.accepted + body.duplicates).toBe(batch.length);
          acceptedTotal += body.accepted;
          for (const e of batch as Array<{ id: string }>) acknowledged.add(e.id);
          break;
        }
        // Anything but an acknowledgement must tell the client to come back.
        expect(res.status, await res.text()).toBeGreaterThanOrEqual(500);
        if (res.status === 503) expect(res.headers.get('Retry-After')).toBeTruthy();
        expect(attempts).toBeLessThan(MAX_ATTEMPTS);
      }
      // A beacon that was delivered but whose answer was lost: sent again later.
      if (random() < 0.2) {
        duplicateResends++;
        batches.push(batch);
      }
      if (batches.length > 10 * VISITORS) break;
    }

    const { results } = await env.DB.prepare('select event_id from events where site_id = ?')
      .bind(site.siteId)
      .all<{ event_id: string }>();
    const stored = results.map((r) => r.event_id);
    const lost = [...acknowledged].filter((id) => !stored.includes(id));
    expect(lost).toEqual([]);
    expect(new Set(stored).size).toBe(stored.length);
    expect(new Set(stored)).toEqual(sentIds);

    // Stats through the real (healthy) database, against the recount of what was sent. One
    // clean batch afterwards lets attribution work off markers left by failed attempts (see
    // the next test for stats read before any later traffic).
    const markersLeft = await pendingMarkers(site.siteId);
    await ingest(site.writeKey, [widgetEvent({ w: 'after-the-storm' })]);
    const widgets = await (await callWithKey(site.readKey, '/v1/stats/widgets')).json<{
      rows: Array<{ id: string; instances: number; clicks: number; orders: number; value: number }>;
    }>();
    const got = Object.fromEntries(
      widgets.rows
        .filter((r) => r.id !== 'after-the-storm')
        .map((r) => [
          r.id,
          { instances: r.instances, clicks: r.clicks, orders: r.orders, valueMinor: Math.round(r.value * 100) },
        ]),
    );
    const chat = await (await callWithKey(site.readKey, '/v1/stats/chat')).json<{
      totals: Array<{ websiteTransactions: number; websiteTurnover: number }>;
    }>();
    console.log(
      `[robustness] faults: ${batches.length} batches (${duplicateResends} resent after acknowledgement) in ${requests} requests; ` +
        `injected ${stats.batchBefore} batch failures before commit, ${stats.batchAfter} after commit, ${stats.single} single-call failures over ${stats.calls} D1 calls; ` +
        `answers ${JSON.stringify(Object.fromEntries(statuses))}; events sent ${sentIds.size}, acknowledged ${acknowledged.size}, stored ${stored.length}, ` +
        `lost ${lost.length}, duplicates stored ${stored.length - new Set(stored).size}; attribution markers left by failures ${markersLeft}, after one clean batch ${await pendingMarkers(site.siteId)}`,
    );
    // Attempts that committed but failed to answer make their retry report duplicates instead.
    expect(acceptedTotal).toBeLessThanOrEqual(sentIds.size);
    expect(got).toEqual(Object.fromEntries(expected));
    expect(chat.totals.map((t) => [t.websiteTransactions, Math.round(t.websiteTurnover * 100)])).toEqual([
      [ordersSent, valueSent],
    ]);
  });

  it('an order whose batch committed but failed to answer is counted in stats once the retry is acknowledged', async () => {
    const site = await createSite();
    // Every batch() commits, then fails (a roll of 0.75 is past the "before commit" half): the
    // client sees 503 and resends.
    const { db } = flaky(env.DB, () => 0.75, { batch: 1, single: 0 });
    const visitor = uid('visitor');
    const click = widgetEvent({ v: visitor, ts: Date.now() - 60_000 });
    const order = checkoutEvent({ v: visitor, val: 40 });
    const request = () =>
      new Request(`${BASE_URL}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ k: site.writeKey, e: [click, order] }),
      });
    expect((await app.fetch(request(), { ...env, DB: db })).status).toBe(503);
    // The retry reaches a healthy database: both events are already there.
    const retry = await app.fetch(request(), env);
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 2, rejected: [] });

    const chat = await (await callWithKey(site.readKey, '/v1/stats/chat')).json<{
      totals: Array<{ websiteTransactions: number }>;
    }>();
    const widgets = await (await callWithKey(site.readKey, '/v1/stats/widgets')).json<{
      rows: Array<{ orders: number }>;
    }>();
    // Acknowledged means counted: nothing else may have to arrive first.
    expect({
      markers: await pendingMarkers(site.siteId),
      transactions: chat.totals[0]?.websiteTransactions ?? 0,
      credited: widgets.rows[0]?.orders,
    }).toEqual({
      markers: 0,
      transactions: 1,
      credited: 1,
    });
  });
});
