/**
 * The per-minute cron (`src/jobs/cron.ts`), the work queue's safety net: every site gets its
 * prune job, a sweep whose message was lost is sent again, a prune that is due runs.
 */
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { bucketOf } from '../src/ingest/dedupe.js';
import { startJobStatement } from '../src/jobs/jobs-queries.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { PRUNE_EVERY_MS } from '../src/jobs/prune-step.js';
import { createShop, DAY, HOUR, visitor } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { createSite, settled, uid } from './helpers.js';
import { cronRun, heldQueue, jobOf, putSettings } from './jobs-helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const SHORT_POPUP = {
  attributionWindows: { default: 1_209_600, kinds: { popup: 30 }, channels: {}, campaigns: {} },
};

/** Runs the cron with the queue held: answers what it sent. */
async function heldCron(): Promise<WorkMessage[]> {
  const held = heldQueue();
  await cronRun({ WORK_QUEUE: held.queue });
  return held.sent;
}

const SITES_WITHOUT_PRUNE =
  "select count(*) as n from sites where id not in (select site_id from jobs where kind = 'prune')";

const mine = (sent: WorkMessage[], siteId: string, kind: WorkMessage['k']) =>
  sent.filter((m) => m.site === siteId && m.k === kind);

describe('the cron', () => {
  // Every site has its prune job (a cron run gives one to 50 sites) and no job is due, so each
  // test sees only what it sets up, whatever earlier test files left in the shared database.
  beforeEach(async () => {
    while ((await env.DB.prepare(SITES_WITHOUT_PRUNE).first<number>('n')) !== 0) await heldCron();
    await env.DB.prepare('update jobs set next_at = ?')
      .bind(Date.now() + DAY)
      .run();
  });

  it('gives each site its prune job, due at once, and sends it; a site that has one gets no second', async () => {
    const [a, b] = await Promise.all([createSite(), createSite()]);
    const counted = wrapD1(env.DB);
    const held = heldQueue();
    await cronRun({ DB: counted.db, WORK_QUEUE: held.queue });
    expect(counted.calls()).toBeLessThanOrEqual(3);
    for (const site of [a, b]) {
      expect(mine(held.sent, site.siteId, 'prune')).toEqual([{ k: 'prune', site: site.siteId, cursor: null }]);
      expect(await jobOf(site.siteId, 'prune')).toMatchObject({ version: 0, cursor: null, attempts: 0 });
    }
    const jobs = () =>
      env.DB.prepare("select count(*) as n from jobs where kind = 'prune' and site_id in (?, ?)")
        .bind(a.siteId, b.siteId)
        .first<number>('n');
    expect(await jobs()).toBe(2);
    await heldCron();
    expect(await jobs()).toBe(2);
  });

  it('resends a sweep whose message was lost once its lease ran out, and the sweep settles', async () => {
    const shop = await createShop();
    const who = visitor();
    const ts = Date.now() - HOUR;
    await shop.send([widgetEvent({ ...who, ts }), checkoutEvent({ ...who, ts: ts + 60_000 })]);
    const lost = heldQueue(true);
    expect((await putSettings(shop.readKey, SHORT_POPUP, { WORK_QUEUE: lost.queue })).status).toBe(200);
    // Within the lease the job is not resent: its message may only be slow.
    expect(mine(await heldCron(), shop.siteId, 'sweep')).toEqual([]);

    await env.DB.prepare("update jobs set next_at = ? where site_id = ? and kind = 'sweep'")
      .bind(Date.now() - 1, shop.siteId)
      .run();
    expect(mine(await heldCron(), shop.siteId, 'sweep')).toEqual([
      { k: 'sweep', site: shop.siteId, version: 1, cursor: null },
    ]);
    await cronRun();
    await settled();
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 0 })]);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
  });

  it('resends a stale sweep from the cursor it reached', async () => {
    const site = await createSite();
    await startJobStatement(env.DB, site.siteId, 'sweep', 0, 'v:visitor-m', Date.now() - 5 * 60_000).run();
    expect(mine(await heldCron(), site.siteId, 'sweep')).toEqual([
      { k: 'sweep', site: site.siteId, version: 0, cursor: 'v:visitor-m' },
    ]);
  });

  it('runs a prune that is due and leaves it waiting a day', async () => {
    const site = await createSite();
    const now = Date.now();
    await env.DB.prepare('insert into events (site_id, bucket, event_id) values (?, ?, ?), (?, ?, ?)')
      .bind(site.siteId, bucketOf(now) - 2, 'old', site.siteId, bucketOf(now), 'new')
      .run();
    // Its first prune was sent when the cron gave it the job; the next waits a day.
    expect(mine(await heldCron(), site.siteId, 'prune')).toHaveLength(1);
    await env.DB.prepare("update jobs set next_at = ? where site_id = ? and kind = 'prune'")
      .bind(now + PRUNE_EVERY_MS, site.siteId)
      .run();
    expect(mine(await heldCron(), site.siteId, 'prune')).toEqual([]);

    // A day later.
    await env.DB.prepare("update jobs set next_at = ? where site_id = ? and kind = 'prune'")
      .bind(now - 1, site.siteId)
      .run();
    await cronRun();
    await settled();
    const { results } = await env.DB.prepare('select event_id as id from events where site_id = ?')
      .bind(site.siteId)
      .all<{ id: string }>();
    expect(results).toEqual([{ id: 'new' }]);
    expect((await jobOf(site.siteId, 'prune'))!.nextAt).toBeGreaterThanOrEqual(now + PRUNE_EVERY_MS);
  });

  it('leaves a parked job alone', async () => {
    const site = await createSite();
    await startJobStatement(env.DB, site.siteId, 'sweep', 0, null, Date.now() - HOUR).run();
    await env.DB.prepare("update jobs set parked_reason = 'failed 8 times' where site_id = ? and kind = 'sweep'")
      .bind(site.siteId)
      .run();
    expect(mine(await heldCron(), site.siteId, 'sweep')).toEqual([]);
  });

  it('resends at most 20 due jobs a run, the longest due first', async () => {
    const now = Date.now();
    const stale = Array.from({ length: 25 }, (_, i) => ({ site: uid('gone'), at: now - (i + 1) * 60_000 }));
    await env.DB.batch(stale.map((j) => startJobStatement(env.DB, j.site, 'sweep', 0, null, j.at)));
    try {
      const sent = await heldCron();
      expect(sent.map((m) => m.site)).toEqual(
        stale
          .slice(5)
          .reverse()
          .map((j) => j.site),
      );
    } finally {
      await env.DB.prepare("delete from jobs where site_id like 'gone-%'").run();
    }
  });
});
