/**
 * Issue 8, item 4, and issue 19, finding 6 (collector side): D1 failing. Every route answers 503
 * with `Retry-After` when storage fails (reads included) and applies nothing; with a share of
 * calls failing, clients that resend until acknowledged lose nothing and count nothing twice.
 * The worker runs unchanged (`app.fetch`) with `env.DB` wrapped in a thin proxy; the work
 * queue's consumer (docs/ingestion.md) runs on the healthy database, as its own retries are
 * covered by test/jobs-consumer.test.ts.
 */
import { env } from 'cloudflare:workers';
import { seededRandom as rng } from '@lasttouch/shared/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.js';
import { wrapD1 } from './d1-wrappers.js';
import { BASE_URL, callWithKey, createSite, settled, tableCounts, uid } from './helpers.js';
import { RUNS, SEED } from './robustness-arbitraries.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const VISITORS = Math.max(60, Math.floor(RUNS / 2));
const MAX_ATTEMPTS = 60;
const ORIGIN = 'https://shop.example';

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
  const proxy: D1Database = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql));
      // Local D1 has no replicas: the flaky database serves as its own session, faults included.
      if (prop === 'withSession') return () => proxy;
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

const WIDGETS = [
  { k: 'popup', w: 'spring-sale', c: 'spring' },
  { k: 'notification', w: 'ship-free', c: 'spring' },
  { k: 'block', w: 'hero', c: 'fall' },
] as const;

/** The key lookup's two statements (sites/queries.ts `resolveKey`): spared when only later reads should fail. */
const isKeyLookup = (sql: string) =>
  sql.includes('from api_keys k join sites s') || sql.includes('from site_secrets\n');

/** One request per route of app.ts that reads or writes D1, with the key it needs. */
function everyRoute(site: Awaited<ReturnType<typeof createSite>>) {
  const json = (key: string, method: string, path: string, body?: unknown) =>
    new Request(`${BASE_URL}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return [
    json(site.writeKey, 'POST', '/v1/events', { e: [widgetEvent()] }),
    json(site.readKey, 'PUT', '/v1/settings', { creditPolicy: 'first' }),
    json(site.agentKey, 'POST', '/v1/links', { url: `${ORIGIN}/p`, conversation: 'c', channel: 'sms' }),
    json(site.readKey, 'POST', '/v1/orders', { orderId: uid('o'), value: 1, currency: 'EUR' }),
    json(site.readKey, 'GET', '/v1/orders/o-1'),
    ...['widgets', 'campaigns', 'sequences', 'top-actions', 'chat', 'daily', 'lift'].map((s) =>
      json(site.readKey, 'GET', `/v1/stats/${s}`),
    ),
    json(site.readKey, 'PUT', '/v1/agents/ann/hours', { date: '2026-11-20', hours: 3 }),
    json(site.readKey, 'DELETE', '/v1/visitors/v-1'),
    json(site.readKey, 'DELETE', '/v1/customers/c-1'),
    ...['write', 'agent', 'read', 'link-secret'].map((kind) => json(site.readKey, 'POST', '/v1/keys/rotate', { kind })),
    json(env.ADMIN_TOKEN, 'POST', '/v1/keys/rotate', { kind: 'read', siteId: site.siteId }),
    json(env.ADMIN_TOKEN, 'POST', '/v1/sites', { name: 'x' }),
  ];
}

describe('faults: every route when D1 fails', () => {
  beforeAll(() => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterAll(() => vi.restoreAllMocks());

  it('answers 503 with Retry-After on every route, reads included, and applies nothing', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const before = await tableCounts();
    await env.DB.prepare(
      "insert into sites (id, name, settings, database, settings_version, created_at) values ('demo', 'Demo', '{}', 'DB', 0, 0)",
    ).run();
    let queued = 0;
    const queue = {
      send: async () => {
        queued++;
      },
      sendBatch: async () => {
        queued++;
      },
    } as unknown as Queue;
    const answers: string[] = [];
    // Every call fails (the key lookup first), then every call but the key lookup (each route's own reads and writes).
    for (const [name, fail] of [
      ['all', () => true],
      ['after the key lookup', (sql: string) => !isKeyLookup(sql)],
    ] as const) {
      const db = wrapD1(env.DB, fail).db;
      const requests = [...everyRoute(site), new Request(`${BASE_URL}/demo/`)];
      for (const req of requests) {
        const route = `${req.method} ${new URL(req.url).pathname}`;
        const res = await app.fetch(req, { ...env, DB: db, WORK_QUEUE: queue });
        answers.push(`${route} (${name}): ${res.status}`);
        if (res.status === 503) {
          expect(res.headers.get('Retry-After'), route).toBeTruthy();
          expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });
        }
      }
    }
    await env.DB.prepare("delete from sites where id = 'demo'").run();
    expect(answers.filter((a) => !a.endsWith(': 503'))).toEqual([]);
    expect(queued).toBe(0);
    expect(await tableCounts()).toEqual(before);
    // The one keyed read with nothing to read after its key answers from the key lookup.
    const settings = await app.fetch(
      new Request(`${BASE_URL}/v1/settings`, { headers: { Authorization: `Bearer ${site.readKey}` } }),
      { ...env, DB: wrapD1(env.DB, (sql) => !isKeyLookup(sql)).db },
    );
    expect(settings.status).toBe(200);
    console.log(
      `[robustness] faults: ${answers.length} requests (every route, D1 failing from the key lookup on, then only after it) answered 503 with Retry-After, 0 rows changed, 0 messages queued`,
    );
  });

  it('answers 503 when the queue refuses a batch, stores nothing, and counts the resent batch once', async () => {
    const site = await createSite();
    const who = { v: uid('visitor'), s: uid('session') };
    const batch = [widgetEvent({ ...who, ts: Date.now() - 60_000 }), checkoutEvent({ ...who, val: 40 })];
    const request = () =>
      new Request(`${BASE_URL}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ k: site.writeKey, e: batch }),
      });
    const refusing = {
      send: () => Promise.reject(new Error('queue unavailable')),
    } as unknown as Queue;
    const refused = await app.fetch(request(), { ...env, WORK_QUEUE: refusing });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toBeTruthy();
    await settled();
    expect(
      (await callWithKey(site.readKey, '/v1/stats/widgets').then((r) => r.json<{ rows: unknown[] }>())).rows,
    ).toEqual([]);
    // The client resends; an answer lost on the way makes it resend once more: both queued.
    expect((await app.fetch(request(), env)).status).toBe(202);
    expect((await app.fetch(request(), env)).status).toBe(202);
    await settled();
    const widgets = await (await callWithKey(site.readKey, '/v1/stats/widgets')).json<{
      rows: Array<{ clicks: number; orders: number; value: number }>;
    }>();
    expect(widgets.rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1, value: 40 })]);
  });
});

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

    await settled();
    const { results } = await env.DB.prepare('select event_id from events where site_id = ?')
      .bind(site.siteId)
      .all<{ event_id: string }>();
    const stored = results.map((r) => r.event_id);
    const lost = [...acknowledged].filter((id) => !stored.includes(id));
    expect(lost).toEqual([]);
    expect(new Set(stored).size).toBe(stored.length);
    expect(new Set(stored)).toEqual(sentIds);

    // Stats through the real (healthy) database, against the recount of what was sent.
    const widgets = await (await callWithKey(site.readKey, '/v1/stats/widgets')).json<{
      rows: Array<{ id: string; instances: number; clicks: number; orders: number; value: number }>;
    }>();
    const got = Object.fromEntries(
      widgets.rows.map((r) => [
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
        `lost ${lost.length}, duplicates stored ${stored.length - new Set(stored).size}`,
    );
    // `accepted` counts what was queued: a batch resent before the consumer stored it is queued
    // again (the consumer dedupes by id), so the sum may pass the ids sent; what is stored may not.
    expect(acceptedTotal).toBeGreaterThanOrEqual(sentIds.size);
    expect(got).toEqual(Object.fromEntries(expected));
    expect(chat.totals.map((t) => [t.websiteTransactions, Math.round(t.websiteTurnover * 100)])).toEqual([
      [ordersSent, valueSent],
    ]);
  });
});
