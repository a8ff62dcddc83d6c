/**
 * The re-attribution sweep a settings change starts (`src/jobs/sweep-step.ts`): every person with
 * orders, 100 a step, each step within one invocation's D1 budget, and as many steps as the
 * budget allows in one consumer invocation; a failed step backs its job off without losing its page; a sweep for an older settings version stops; a second chain of the
 * same sweep (a message the cron resent while the first was only slow) stops at the first step
 * the other made.
 */
import { env } from 'cloudflare:workers';
import type { IdentifyEvent } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { CALLS_PER_INVOCATION, STATEMENTS_PER_BATCH } from '../src/db/budget.js';
import { advanceJob, finishJob, startJobStatement } from '../src/jobs/jobs-queries.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { sweepStep } from '../src/jobs/sweep-step.js';
import { loadSites } from '../src/sites/queries.js';
import { createShop, DAY, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { uid } from './helpers.js';
import { cronRun, deliver, heldQueue, jobOf, putSettings } from './jobs-helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const DEFAULT_WINDOWS = { default: 1_209_600, kinds: {}, channels: {}, campaigns: {} };
/** Pop-up clicks count for 30 seconds only: an order a minute after its click loses its credit. */
const SHORT_POPUP = { attributionWindows: { ...DEFAULT_WINDOWS, kinds: { popup: 30 } } };
const SHORTER_POPUP = { attributionWindows: { ...DEFAULT_WINDOWS, kinds: { popup: 20 } } };

/**
 * A shop whose `visitors` visitors each clicked the pop-up and ordered a minute later, plus one
 * customer whose server order names only the customer id (swept in the customers phase): every
 * order credited by default.
 */
async function shopWithOrders(visitors: number): Promise<Shop & { customerOrder: string }> {
  const shop = await createShop();
  const ts = Date.now() - HOUR;
  const events = Array.from({ length: visitors }, () => {
    const who = visitor();
    return [widgetEvent({ ...who, ts }), checkoutEvent({ ...who, ts: ts + 60_000 })];
  }).flat();
  for (let i = 0; i < events.length; i += 100) await shop.send(events.slice(i, i + 100));
  const phone = visitor();
  const customer = uid('customer');
  const identify: IdentifyEvent = { id: uid('ev'), t: 'identify', ...phone, ts, p: '/', cu: customer };
  await shop.send([identify, widgetEvent({ ...phone, ts })]);
  const customerOrder = uid('order');
  await shop.order({ orderId: customerOrder, value: 20, currency: 'EUR', customerId: customer, ts: ts + 60_000 });
  expect(await credited(shop)).toBe(visitors + 1);
  return Object.assign(shop, { customerOrder });
}

/** Orders credited to the pop-up. */
const credited = async (shop: Shop) => {
  const rows = (await shop.widgets()).rows as { orders: number }[];
  return rows.reduce((sum, r) => sum + r.orders, 0);
};

/**
 * One sweep step on its own, counted, answering its follow-ups (the consumer works those in the
 * same invocation while its budget lasts, so through it a step's bounds do not show).
 */
async function sweepOnce(message: SweepMessage, fail?: (sql: string) => boolean) {
  const site = (await loadSites(env.DB, [message.site])).get(message.site)!;
  const counted = wrapD1(env.DB, fail);
  const sent = await sweepStep(counted.db, counted.db, site, message, Date.now());
  return { sent, calls: counted.calls(), maxBatch: counted.maxBatch() };
}

/** One invocation of the consumer on `messages`, counted; answers what it sent and its D1 use. */
async function step(messages: WorkMessage[], fail?: (sql: string) => boolean) {
  const held = heldQueue();
  const counted = wrapD1(env.DB, fail);
  const result = await deliver(messages, { DB: counted.db, WORK_QUEUE: held.queue });
  return { result, sent: held.sent, calls: counted.calls(), maxBatch: counted.maxBatch() };
}

type SweepMessage = Extract<WorkMessage, { k: 'sweep' }>;
const sweeps = (sent: WorkMessage[]) => sent.filter((m): m is SweepMessage => m.k === 'sweep');

/**
 * Delivers messages to the consumer, each invocation's follow-ups the next one's messages, until
 * none is left; every invocation within the D1 budget. Answers how many invocations it took.
 */
async function drain(messages: WorkMessage[]): Promise<number> {
  let invocations = 0;
  for (let pending = messages; pending.length > 0; invocations++) {
    const { result, sent, calls, maxBatch } = await step(pending);
    expect(result.retryMessages).toEqual([]);
    expect(calls).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
    expect(maxBatch).toBeLessThanOrEqual(STATEMENTS_PER_BATCH);
    pending = sent;
    if (invocations > 20) throw new Error('the sweep does not end');
  }
  return invocations;
}

/** Changes settings with the queue held: answers the sweep message the change sent. */
async function change(shop: Shop, patch: unknown): Promise<SweepMessage> {
  const held = heldQueue();
  expect((await putSettings(shop.readKey, patch, { WORK_QUEUE: held.queue })).status).toBe(200);
  expect(held.sent).toEqual([expect.objectContaining({ k: 'sweep', site: shop.siteId })]);
  return held.sent[0] as SweepMessage;
}

describe('a settings sweep', () => {
  it('re-attributes every order, visitors then customers, 100 persons a step, each within the D1 budget', async () => {
    const shop = await shopWithOrders(250);
    const first = await change(shop, SHORT_POPUP);
    const cursors: (string | null | undefined)[] = [];
    for (let next: SweepMessage | undefined = first; next; ) {
      const { sent, calls, maxBatch } = await sweepOnce(next);
      expect(calls).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
      expect(maxBatch).toBeLessThanOrEqual(STATEMENTS_PER_BATCH);
      cursors.push((await jobOf(shop.siteId, 'sweep'))?.cursor);
      [next] = sweeps(sent);
    }
    // Three pages of visitors (100, 100, 50), the customers' page, then the job ends.
    expect(cursors).toHaveLength(4);
    expect(cursors[0]).toMatch(/^v:/);
    expect(cursors[1]! > cursors[0]!).toBe(true);
    expect(cursors.slice(2)).toEqual(['c:', undefined]);
    expect(await credited(shop)).toBe(0);
    expect((await shop.detail(shop.customerOrder)).credited).toBeNull();
  });

  it('works a whole sweep of 250 persons in one consumer invocation, within its D1 budget', async () => {
    const shop = await shopWithOrders(250);
    expect(await drain([await change(shop, SHORT_POPUP)])).toBe(1);
    expect(await credited(shop)).toBe(0);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
  });

  it('loses no page when a step fails: the job backs off where it was and its message comes back', async () => {
    const shop = await shopWithOrders(150);
    const first = await change(shop, SHORT_POPUP);
    const [next] = sweeps((await sweepOnce(first)).sent);
    const at = (await jobOf(shop.siteId, 'sweep'))!.cursor;
    expect(next).toMatchObject({ cursor: at });

    const failed = await step([next!], (sql) => sql.startsWith('update orders set applied'));
    expect(failed.result.retryMessages).toEqual([]);
    expect(failed.sent).toEqual([next]);
    const job = (await jobOf(shop.siteId, 'sweep'))!;
    expect(job.cursor).toBe(at);
    expect(job.nextAt).toBeGreaterThan(Date.now());
    expect(await credited(shop)).toBe(51);

    // The message comes back after the backoff: the sweep goes on from the same page and ends.
    await drain(failed.sent);
    expect(await credited(shop)).toBe(0);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
  });

  it('stops a sweep for an older settings version, at its start or mid-way; the newer one finishes', async () => {
    const shop = await shopWithOrders(150);
    const older = await change(shop, SHORT_POPUP);
    const { sent } = await sweepOnce(older);
    const [olderNext] = sweeps(sent);
    expect(olderNext).toMatchObject({ version: 1, cursor: expect.stringMatching(/^v:/) });

    const newer = await change(shop, SHORTER_POPUP);
    expect(newer).toMatchObject({ version: 2, cursor: null });
    expect(await jobOf(shop.siteId, 'sweep')).toMatchObject({ version: 2, cursor: null });
    for (const stale of [older, olderNext!]) {
      expect((await sweepOnce(stale)).sent).toEqual([]);
      expect(await jobOf(shop.siteId, 'sweep')).toMatchObject({ version: 2, cursor: null });
    }
    await drain([newer]);
    expect(await credited(shop)).toBe(0);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
  });

  it('stops a second chain of the same sweep (the cron resent a slow message) at the step the first made', async () => {
    const shop = await shopWithOrders(250);
    const first = await change(shop, SHORT_POPUP);
    const [original] = sweeps((await sweepOnce(first)).sent);

    // The step's lease runs out before the next message is worked: the cron resends the job.
    await env.DB.prepare('update jobs set next_at = ? where site_id = ? and kind = ?')
      .bind(Date.now() - 1, shop.siteId, 'sweep')
      .run();
    const cron = heldQueue();
    await cronRun({ WORK_QUEUE: cron.queue });
    const resent = sweeps(cron.sent).filter((m) => m.site === shop.siteId);
    expect(resent).toEqual([original]);

    const [next] = sweeps((await sweepOnce(original!)).sent);
    expect(next).toMatchObject({ cursor: expect.stringMatching(/^v:/) });
    expect(next!.cursor! > original!.cursor!).toBe(true);
    expect(sweeps((await sweepOnce(resent[0]!)).sent)).toEqual([]);
    expect((await jobOf(shop.siteId, 'sweep'))!.cursor).toBe(next!.cursor);

    await drain([next!]);
    expect(await credited(shop)).toBe(0);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
  });
});

describe('re-running a sweep', () => {
  it('changes nothing when the settings did not change: orders and aggregates stay as they were', async () => {
    const shop = await createShop();
    const ts = Date.now() - 3 * DAY;
    const events = [0, 1, 2].flatMap((n) => {
      const who = visitor();
      return [
        widgetEvent({ ...who, ts: ts + n }),
        widgetEvent({ ...who, ts: ts + DAY, k: 'block', w: 'hero' }),
        checkoutEvent({ ...who, ts: ts + 2 * DAY, cur: n === 2 ? 'USD' : 'EUR' }),
        checkoutEvent({ ...who, ts: ts + 2 * DAY + 1000 }),
      ];
    });
    await shop.send(events);
    const snapshot = async () => {
      const rows = async (table: string) =>
        (
          await env.DB.prepare(`select * from ${table} where site_id = ? order by 1, 2, 3, 4, 5`)
            .bind(shop.siteId)
            .all()
        ).results;
      return {
        orders: await rows('orders'),
        credit: await rows('credit_slots'),
        orderSlots: await rows('order_slots'),
        touchSlots: await rows('touch_slots'),
      };
    };
    const before = await snapshot();
    expect(before.credit.length).toBeGreaterThan(0);
    for (let run = 0; run < 2; run++) {
      await startJobStatement(env.DB, shop.siteId, 'sweep', 0, null, Date.now()).run();
      await drain([{ k: 'sweep', site: shop.siteId, version: 0, cursor: null }]);
      expect(await snapshot()).toEqual(before);
    }
  });
});

describe('job progress (advanceJob, finishJob)', () => {
  it('moves or ends a job only from where it is, for its version', async () => {
    const site = uid('site');
    const job = { siteId: site, kind: 'sweep', version: 3 } as const;
    const now = Date.now();
    await startJobStatement(env.DB, site, 'sweep', 3, null, now).run();
    expect(await advanceJob(env.DB, { ...job, version: 2 }, null, 'v:a', now, now)).toBe(false);
    expect(await advanceJob(env.DB, job, 'v:x', 'v:a', now, now)).toBe(false);
    expect(await advanceJob(env.DB, job, null, 'v:a', now, now + 60_000)).toBe(true);
    expect(await jobOf(site, 'sweep')).toMatchObject({ version: 3, cursor: 'v:a', nextAt: now + 60_000 });
    // A second chain that started from the same place is too late now.
    expect(await advanceJob(env.DB, job, null, 'v:b', now, now)).toBe(false);
    expect(await finishJob(env.DB, job, null)).toBe(false);
    expect(await finishJob(env.DB, job, 'v:a')).toBe(true);
    expect(await jobOf(site, 'sweep')).toBeNull();
  });
});
