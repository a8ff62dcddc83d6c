/**
 * The prune step (`src/jobs/prune-step.ts`): what each table keeps (docs/privacy.md), bounded
 * deletes, another step while a table had a full one, then a day's wait.
 */
import { env } from 'cloudflare:workers';
import type { IdentifyEvent, Settings } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { CALLS_PER_INVOCATION } from '../src/db/budget.js';
import { bucketOf } from '../src/ingest/dedupe.js';
import { startJobStatement } from '../src/jobs/jobs-queries.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { PRUNE_EVERY_MS, pruneStep } from '../src/jobs/prune-step.js';
import { loadSites } from '../src/sites/queries.js';
import { slotOf } from '../src/time/slots.js';
import { createShop, DAY, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { settled, tableCounts, uid } from './helpers.js';
import { deliver, heldQueue, jobOf } from './jobs-helpers.js';
import { ORIGIN, tag } from './links-helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

/** Rows one prune statement deletes at most (`ROWS_PER_STEP`). */
const STEP = 2000;

const count = async (table: string, siteId: string) =>
  (await env.DB.prepare(`select count(*) as n from ${table} where site_id = ?`).bind(siteId).first<number>('n'))!;

/** Rows inserted with one statement: each row's values for `columns`, after the site id. */
async function insertRows(table: string, columns: string, siteId: string, rows: unknown[][]): Promise<void> {
  const placeholders = columns.split(',').map((_, i) => `j.value->>${i}`);
  await env.DB.prepare(
    `insert into ${table} (site_id, ${columns}) select ?1, ${placeholders.join(', ')} from json_each(?2) j`,
  )
    .bind(siteId, JSON.stringify(rows))
    .run();
}

const TOUCH_COLUMNS = 'visitor_id, ts, event_id, session_id, type, action, kind, widget_id, client_ts';
const touchRow = (id: string, ts: number) => [uid('v'), ts, id, uid('s'), 'click', 'popup_click', 'popup', 'w', ts];

const ids = async (sql: string, siteId: string) =>
  (await env.DB.prepare(sql).bind(siteId).all<{ id: string }>()).results.map((r) => r.id).sort();

/** The cursor of the prune message a step sent on. */
const cursorOf = (sent: WorkMessage[]) => (sent[0] as Extract<WorkMessage, { k: 'prune' }>).cursor;

/** Runs one prune step for a site through the consumer; answers what it sent on. */
async function prune(siteId: string, cursor: string | null = null) {
  const held = heldQueue();
  const counted = wrapD1(env.DB);
  const result = await deliver([{ k: 'prune', site: siteId, cursor }], { DB: counted.db, WORK_QUEUE: held.queue });
  expect(result.retryMessages).toEqual([]);
  expect(counted.calls()).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
  return held.sent;
}

/**
 * One prune step on its own, answering its follow-ups (the consumer works those in the same
 * invocation while its budget lasts, so through it a step's bounds do not show).
 */
async function pruneOnce(siteId: string, cursor: string | null = null) {
  const site = (await loadSites(env.DB, [siteId])).get(siteId)!;
  return pruneStep(env.DB, env.DB, site, { k: 'prune', site: siteId, cursor }, Date.now());
}

/** A site with its prune job, as the cron starts it. */
async function siteWithPruneJob(settings?: Partial<Settings>): Promise<Shop> {
  const shop = await createShop();
  if (settings) await shop.settings(settings);
  await startJobStatement(env.DB, shop.siteId, 'prune', 0, null, Date.now()).run();
  return shop;
}

describe('the prune step', () => {
  it('keeps what retention still needs in each table and deletes the rest', async () => {
    // A 45-day sms window: the longest window, longer than 31 days.
    const shop = await siteWithPruneJob({
      attributionWindows: { default: 14 * 86_400, kinds: {}, channels: { sms: 45 * 86_400 }, campaigns: {} },
    });
    const now = Date.now();
    const bucket = bucketOf(now);
    await insertRows('events', 'bucket, event_id', shop.siteId, [
      [bucket, 'current'],
      [bucket - 1, 'previous'],
      [bucket - 2, 'older'],
    ]);
    await insertRows(
      'touches',
      TOUCH_COLUMNS,
      shop.siteId,
      [
        ['30d', now - 30 * DAY],
        ['46d', now - 46 * DAY],
        ['75d', now - 75 * DAY],
        ['77d', now - 77 * DAY],
      ].map(([id, ts]) => touchRow(id as string, ts as number)),
    );
    await insertRows('session_facts', 'session_id, fact, slot', shop.siteId, [
      ['30d', 'c:spring', slotOf(now - 30 * DAY)],
      ['32d', 'c:spring', slotOf(now - 32 * DAY)],
    ]);
    await insertRows('exposures', 'visitor_id, group_key, cohort, first_ts', shop.siteId, [
      ['399d', 'site', 0, now - 399 * DAY],
      ['401d', 'site', 1, now - 401 * DAY],
    ]);

    expect(await prune(shop.siteId)).toEqual([]);
    // Event ids of the current and previous 30-day period: a retry within 30 days is still found.
    expect(await ids('select event_id as id from events where site_id = ?', shop.siteId)).toEqual([
      'current',
      'previous',
    ]);
    // Touches stay while an order that is not settled (31 days) can reach them with the longest
    // window (45 days), whatever their own window.
    expect(await ids('select event_id as id from touches where site_id = ?', shop.siteId)).toEqual([
      '30d',
      '46d',
      '75d',
    ]);
    expect(await ids('select session_id as id from session_facts where site_id = ?', shop.siteId)).toEqual(['30d']);
    expect(await ids('select visitor_id as id from exposures where site_id = ?', shop.siteId)).toEqual(['399d']);
  });

  it('keeps touches 31 days and the longest window: a late event can still arrive for 30, an order settles after 31', async () => {
    const shop = await siteWithPruneJob({
      attributionWindows: { default: 3600, kinds: {}, channels: {}, campaigns: {} },
    });
    const now = Date.now();
    await insertRows('touches', TOUCH_COLUMNS, shop.siteId, [
      touchRow('30d', now - 30 * DAY),
      touchRow('32d', now - 32 * DAY),
    ]);
    await prune(shop.siteId);
    expect(await ids('select event_id as id from touches where site_id = ?', shop.siteId)).toEqual(['30d']);
  });

  it('never deletes orders, their reports, links, identity links or aggregates, however old', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const [who, other] = [visitor(), visitor()];
    const token = await tag(shop, 'wa-1', 'whatsapp', 'ana');
    const identify: IdentifyEvent = { id: uid('ev'), t: 'identify', ...who, ts: Date.now(), p: '/', cu: uid('c') };
    const order = uid('order');
    await shop.send([
      widgetEvent({ ...who, t: 'instance', c: 'spring', ts: Date.now() - HOUR }),
      widgetEvent({ ...who, c: 'spring', ts: Date.now() - HOUR }),
      landingEvent({ ...other, tk: token, ts: Date.now() - HOUR }),
      widgetEvent({ ...other, t: 'eligible', h: 0, c: 'spring', ts: Date.now() - HOUR }),
      identify,
      checkoutEvent({ ...who, o: order, ts: Date.now() - 1000 }),
      checkoutEvent({ ...other, ts: Date.now() - 1000 }),
    ]);
    await shop.order({ orderId: order, value: 12.5, currency: 'EUR', visitorId: who.v });
    const before = await tableCounts();
    const [site] = (await loadSites(env.DB, [shop.siteId])).values();
    // As if the step ran long after: everything of this site is older than any retention.
    await pruneStep(env.DB, env.DB, site!, { k: 'prune', site: shop.siteId, cursor: null }, Date.now() + 1000 * DAY);
    await settled();
    const after = await tableCounts();
    const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
    expect(changed.sort()).toEqual(['events', 'exposures', 'session_facts', 'touches'].filter((t) => t in before));
    for (const table of changed) expect(await count(table, shop.siteId)).toBe(0);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ instances: 1, clicks: 1, orders: 1 })]);
  });

  it('deletes at most 2,000 rows per table a step, goes on while a table had a full step, then waits a day', async () => {
    const shop = await siteWithPruneJob();
    const now = Date.now();
    const old = bucketOf(now) - 2;
    await insertRows(
      'events',
      'bucket, event_id',
      shop.siteId,
      Array.from({ length: 2 * STEP + 500 }, (_, i) => [old, `e${i}`]),
    );
    await insertRows(
      'touches',
      TOUCH_COLUMNS,
      shop.siteId,
      Array.from({ length: STEP + 100 }, (_, i) => touchRow(`t${i}`, now - 50 * DAY)),
    );

    const first = await pruneOnce(shop.siteId);
    expect([await count('events', shop.siteId), await count('touches', shop.siteId)]).toEqual([STEP + 500, 100]);
    expect(first).toEqual([{ k: 'prune', site: shop.siteId, cursor: expect.any(String) }]);
    const job = await jobOf(shop.siteId, 'prune');
    expect(job).toMatchObject({ cursor: cursorOf(first) });
    // A continuation that gets lost is resent by the cron a minute later.
    expect(job!.nextAt - Date.now()).toBeLessThanOrEqual(60_000);

    // Touches had less than a full step left; events had a full one: it goes on.
    const second = await pruneOnce(shop.siteId, cursorOf(first));
    expect([await count('events', shop.siteId), await count('touches', shop.siteId)]).toEqual([500, 0]);
    expect(second).toHaveLength(1);

    const third = await pruneOnce(shop.siteId, cursorOf(second));
    expect(third).toEqual([]);
    expect(await count('events', shop.siteId)).toBe(0);
    const waiting = await jobOf(shop.siteId, 'prune');
    expect(waiting).toMatchObject({ cursor: null, attempts: 0, parkedReason: null });
    expect(waiting!.nextAt).toBeGreaterThanOrEqual(now + PRUNE_EVERY_MS);
  });

  it('stops a second chain (a resent message) at the step the first made', async () => {
    const shop = await siteWithPruneJob();
    const old = bucketOf(Date.now()) - 2;
    await insertRows(
      'events',
      'bucket, event_id',
      shop.siteId,
      Array.from({ length: STEP + 10 }, (_, i) => [old, `e${i}`]),
    );
    const next = await pruneOnce(shop.siteId);
    expect(next).toEqual([expect.objectContaining({ k: 'prune' })]);
    // The cron's copy of the first message comes again: its rows are gone, and it sends nothing on.
    expect(await pruneOnce(shop.siteId, null)).toEqual([]);
    expect(await jobOf(shop.siteId, 'prune')).toMatchObject({ cursor: cursorOf(next) });
  });
});
