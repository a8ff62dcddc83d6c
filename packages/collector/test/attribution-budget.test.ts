import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/db/client.js';
import worker from '../src/index.js';
import { LEFTOVERS, processQueue } from '../src/jobs/attribution-queue.js';
import { INLINE_MARKERS } from '../src/jobs/settings-hook.js';
import { loadSite } from '../src/sites/queries.js';
import { callWithDb, countingD1, createShop, type Shop, visitor } from './attribution-helpers.js';
import { checkoutEvent, widgetEvent } from './helpers.js';

/** The free plan's D1 queries per Worker invocation: every request and cron run stays under it. */
const QUERY_CAP = 50;
const VISITORS = 30;
const MINUTE = 60_000;

/** A shop whose visitors each clicked the pop-up and ordered a minute later (credited by default). */
async function shopWithVisitors(): Promise<Shop> {
  const shop = await createShop();
  const ts = Date.now() - 3_600_000;
  const events = Array.from({ length: VISITORS }, () => {
    const who = visitor();
    return [widgetEvent({ ...who, ts }), checkoutEvent({ ...who, ts: ts + MINUTE })];
  }).flat();
  for (let i = 0; i < events.length; i += 20) await shop.send(events.slice(i, i + 20));
  return shop;
}

const pending = async (siteId: string) =>
  (await env.DB.prepare('select count(*) as n from attribution_queue where site_id = ?')
    .bind(siteId)
    .first<{ n: number }>())!.n;

const creditedOrders = async (siteId: string) =>
  (await env.DB.prepare('select coalesce(sum(orders), 0) as n from order_credit_daily where site_id = ?')
    .bind(siteId)
    .first<{ n: number }>())!.n;

const json = (method: string, key: string, body: unknown): RequestInit => ({
  method,
  headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** Popup clicks count for 30 seconds only: every order (a minute after its click) loses its credit. */
const shortPopupWindow = {
  attributionWindows: { default: 1_209_600, kinds: { popup: 30 }, channels: {}, campaigns: {} },
};

/** Runs the worker's cron handler once, counting its queries. */
async function cronRun(): Promise<number> {
  const counting = countingD1(env.DB);
  const ctx = createExecutionContext();
  const controller = { scheduledTime: Date.now(), cron: '* * * * *', noRetry() {} } as ScheduledController;
  await worker.scheduled(controller, { ...env, DB: counting.db }, ctx);
  await waitOnExecutionContext(ctx);
  return counting.queries();
}

/** Cron runs until the site's queue is empty; every run within the query cap. */
async function drain(siteId: string): Promise<number> {
  let runs = 0;
  while ((await pending(siteId)) > 0) {
    expect(await cronRun()).toBeLessThanOrEqual(QUERY_CAP);
    if (++runs > 20) throw new Error('the cron does not drain the queue');
  }
  return runs;
}

// Each test builds shops of 30 visitors through the API: the default 5 s is tight on a loaded two-core machine.
describe('re-attribution within the D1 query budget', { timeout: 30_000 }, () => {
  it('PUT /v1/settings queues every visitor, answers 200 within the cap, and the cron finishes the work', async () => {
    const shop = await shopWithVisitors();
    expect(await creditedOrders(shop.siteId)).toBe(VISITORS);

    const counting = countingD1(env.DB);
    const res = await callWithDb(counting.db, '/v1/settings', json('PUT', shop.readKey, shortPopupWindow));
    expect(res.status).toBe(200);
    expect(counting.queries()).toBeLessThanOrEqual(QUERY_CAP);
    expect(await pending(shop.siteId)).toBe(VISITORS - INLINE_MARKERS);
    expect(await creditedOrders(shop.siteId)).toBe(VISITORS - INLINE_MARKERS);

    // The same PUT again changes nothing in the settings but still advances what is pending.
    await shop.settings(shortPopupWindow);
    expect(await pending(shop.siteId)).toBe(VISITORS - 2 * INLINE_MARKERS);

    expect(await drain(shop.siteId)).toBeGreaterThan(1);
    expect(await creditedOrders(shop.siteId)).toBe(0);
  });

  it('an ingestion request works off only a few leftovers and skips their select when it has none', async () => {
    const shop = await shopWithVisitors();
    await shop.settings(shortPopupWindow);
    const before = await pending(shop.siteId);
    expect(before).toBeGreaterThan(LEFTOVERS);

    const who = visitor();
    const counting = countingD1(env.DB);
    const res = await callWithDb(
      counting.db,
      '/v1/events',
      json('POST', shop.writeKey, { e: [widgetEvent({ ...who }), checkoutEvent({ ...who })] }),
    );
    expect(res.status).toBe(202);
    expect(counting.queries()).toBeLessThanOrEqual(QUERY_CAP);
    expect(await pending(shop.siteId)).toBe(before - LEFTOVERS);

    // With no leftovers and nothing wanted, processQueue makes no query at all.
    const skip = countingD1(env.DB, (sql) => /order by queued_at limit/.test(sql));
    const site = (await loadSite(createDb(env.DB), shop.siteId))!;
    expect(await processQueue(skip.db, site, Date.now(), [], 0)).toBe(0);
    expect(skip.queries()).toBe(0);
  });

  it('a PUT whose queueing failed keeps the old settings, and its retry queues and applies the change', async () => {
    const shop = await shopWithVisitors();
    const failing = countingD1(env.DB, (sql) => /insert into attribution_queue[\s\S]*from orders/.test(sql));
    const res = await callWithDb(failing.db, '/v1/settings', json('PUT', shop.readKey, shortPopupWindow));
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('5');
    const settings = await shop.get<{ attributionWindows: { kinds: Record<string, number> } }>('/v1/settings');
    expect(settings.attributionWindows.kinds).toEqual({});
    expect(await pending(shop.siteId)).toBe(0);

    await shop.settings(shortPopupWindow);
    expect(await pending(shop.siteId)).toBe(VISITORS - INLINE_MARKERS);
    await drain(shop.siteId);
    expect(await creditedOrders(shop.siteId)).toBe(0);
  });

  it('a request that loaded the site before a settings change leaves the new markers alone', async () => {
    const shop = await shopWithVisitors();
    const stale = (await loadSite(createDb(env.DB), shop.siteId))!;
    await shop.settings(shortPopupWindow);
    const left = await pending(shop.siteId);
    expect(left).toBeGreaterThan(0);
    expect(await processQueue(env.DB, stale, Date.now(), [], VISITORS)).toBe(0);
    expect(await pending(shop.siteId)).toBe(left);
    await drain(shop.siteId);
    expect(await creditedOrders(shop.siteId)).toBe(0);
  });

  it('the cron drains the markers of every site, oldest first, within its budget', async () => {
    const [a, b] = [await shopWithVisitors(), await shopWithVisitors()];
    await a.settings(shortPopupWindow);
    await b.settings(shortPopupWindow);
    await drain(a.siteId);
    await drain(b.siteId);
    expect(await creditedOrders(a.siteId)).toBe(0);
    expect(await creditedOrders(b.siteId)).toBe(0);
  });
});
