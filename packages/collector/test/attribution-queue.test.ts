import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { reattributeVisitor } from '../src/attribution/apply-credit.js';
import { createDb } from '../src/db/client.js';
import { processQueue } from '../src/jobs/attribution-queue.js';
import { enqueue, enqueueVisitorsWithOrders } from '../src/jobs/queries.js';
import { loadSite } from '../src/sites/queries.js';
import { DAY } from './attribution-helpers.js';
import { checkoutEvent, createSite, ingest, uid, widgetEvent } from './helpers.js';

const widgetOrders = async (siteId: string) =>
  (
    await env.DB.prepare(
      "select coalesce(sum(orders), 0) as n from order_credit_daily where site_id = ? and widget_id = 'spring-sale'",
    )
      .bind(siteId)
      .first<{ n: number }>()
  )?.n;

async function shopWithOrders(count: number) {
  const created = await createSite();
  const who = { v: uid('visitor'), s: uid('session') };
  const ts = Date.now() - 3_600_000;
  await ingest(created.writeKey, [
    widgetEvent({ ...who, ts }),
    ...Array.from({ length: count }, (_, n) => checkoutEvent({ ...who, ts: ts + (n + 1) * 1000 })),
  ]);
  const site = (await loadSite(createDb(env.DB), created.siteId))!;
  return { site, visitorId: who.v };
}

describe('attribution queue', () => {
  it('keeps a marker whose recomputation failed and works it off on a later run', async () => {
    const { site, visitorId } = await shopWithOrders(1);
    // Corrupt what the order says it applied: the recomputation cannot subtract it and fails.
    await env.DB.prepare("update orders set applied = 'not json' where site_id = ?").bind(site.id).run();
    await env.DB.prepare(
      "insert into attribution_queue (site_id, subject, subject_id, token, queued_at) values (?, 'visitor', ?, 't1', 0)",
    )
      .bind(site.id, visitorId)
      .run();
    expect(await processQueue(env.DB, site, Date.now())).toBe(1);
    const left = await env.DB.prepare('select token from attribution_queue where site_id = ?').bind(site.id).all();
    expect(left.results).toEqual([{ token: 't1' }]);

    await env.DB.prepare('update orders set applied = null where site_id = ?').bind(site.id).run();
    expect(await processQueue(env.DB, site, Date.now())).toBe(0);
    expect(
      (await env.DB.prepare('select * from attribution_queue where site_id = ?').bind(site.id).all()).results,
    ).toEqual([]);
  });

  it('applies a change once when several recomputations race', async () => {
    const { site, visitorId } = await shopWithOrders(3);
    expect(await widgetOrders(site.id)).toBe(3);
    const first = { ...site, settings: { ...site.settings, creditPolicy: 'first' as const } };
    await Promise.all([1, 2, 3, 4].map(() => reattributeVisitor(env.DB, first, visitorId)));
    expect(await widgetOrders(site.id)).toBe(1);
    await Promise.all([1, 2, 3].map(() => reattributeVisitor(env.DB, site, visitorId)));
    expect(await widgetOrders(site.id)).toBe(3);
  });
});

describe('re-running attribution against D1', () => {
  const snapshot = async (siteId: string) => {
    const rows = async (sql: string) => (await env.DB.prepare(sql).bind(siteId).all()).results;
    return {
      orders: await rows(
        'select order_id, applied, credited_event_id, version from orders where site_id = ? order by order_id',
      ),
      daily: await rows('select * from order_daily where site_id = ? order by day, currency, verified'),
      credit: await rows(
        'select * from order_credit_daily where site_id = ? order by day, widget_id, currency, verified',
      ),
      touch: await rows('select * from order_touch_daily where site_id = ? order by day, action, channel, verified'),
    };
  };

  it('leaves orders and aggregates unchanged when the queue is run over every subject twice', async () => {
    const created = await createSite();
    const ts = Date.now() - 3 * DAY;
    const events = [0, 1, 2].flatMap((n) => {
      const who = { v: uid('visitor'), s: uid('session') };
      return [
        widgetEvent({ ...who, ts: ts + n }),
        widgetEvent({ ...who, ts: ts + DAY, k: 'block', w: 'hero' }),
        checkoutEvent({ ...who, ts: ts + 2 * DAY, cur: n === 2 ? 'USD' : 'EUR' }),
        checkoutEvent({ ...who, ts: ts + 2 * DAY + 1000 }),
      ];
    });
    await ingest(created.writeKey, events);
    const db = createDb(env.DB);
    const site = (await loadSite(db, created.siteId))!;
    const before = await snapshot(site.id);
    expect(before.credit.length).toBeGreaterThan(0);

    for (let run = 0; run < 2; run++) {
      const { results } = await env.DB.prepare('select order_id as id from orders where site_id = ?')
        .bind(site.id)
        .all<{ id: string }>();
      await env.DB.batch([
        enqueueVisitorsWithOrders(env.DB, site.id, Date.now()),
        ...results.map((o) => enqueue(env.DB, site.id, 'order', o.id, Date.now())),
      ]);
      expect(await processQueue(env.DB, site, Date.now(), [], 100)).toBe(0);
      expect(await snapshot(site.id)).toEqual(before);
    }
  });
});
