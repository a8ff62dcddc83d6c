import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CALLS_PER_INVOCATION, STATEMENTS_PER_BATCH } from '../src/db/budget.js';
import worker from '../src/index.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { retryDelay } from '../src/jobs/queue-handler.js';
import { createShop, HOUR, visitor } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { countEvents, createSite, settled } from './helpers.js';
import { clickThenCheckout, queuedCheckout, queuedClick } from './jobs-helpers.js';

let messageId = 0;
/** Runs the worker's queue handler on `bodies` with `DB` wrapped, as the platform would deliver them. */
async function deliver(bodies: WorkMessage[], db: D1Database, attempts = 1, queue = 'lasttouch-work') {
  const batch = createMessageBatch<WorkMessage>(
    queue,
    bodies.map((body) => ({ id: `m-${++messageId}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, DB: db });
  return getQueueResult(batch, ctx);
}

const acked = (result: Awaited<ReturnType<typeof deliver>>, count: number) =>
  result.ackAll || (result.explicitAcks.length === count && result.retryMessages.length === 0);

describe('retry delays', () => {
  it('back off exponentially from 2 s, at most 5 minutes', () => {
    expect([1, 2, 3, 8, 9, 20].map(retryDelay)).toEqual([2, 4, 8, 256, 300, 300]);
  });
});

describe('the work queue consumer', () => {
  it('works many sites within the D1 budget of one invocation, and queues what does not fit', async () => {
    const shops = await Promise.all(Array.from({ length: 20 }, () => createSite()));
    const who = visitor();
    const bodies: WorkMessage[] = shops.map((s) => ({
      k: 'events',
      site: s.siteId,
      recv: Date.now(),
      events: [queuedClick(who)],
    }));
    const counted = wrapD1(env.DB);
    const result = await deliver(bodies, counted.db);
    expect(acked(result, bodies.length)).toBe(true);
    expect(counted.calls()).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
    await settled();
    for (const s of shops) expect(await countEvents(s.siteId)).toBe(1);
  });

  it('bounds the work of one click by a visitor with 2,000 orders, and finishes it in later steps', async () => {
    const shop = await createShop();
    const who = visitor();
    const start = Date.now() - 10 * HOUR;
    for (let i = 0; i < 2000; i += 100) {
      const events = Array.from({ length: 100 }, (_, j) => queuedCheckout(who, start + (i + j) * 1000));
      await deliver([{ k: 'events', site: shop.siteId, recv: Date.now(), events }], env.DB);
    }
    await settled();
    const counted = wrapD1(env.DB);
    const result = await deliver(
      [{ k: 'events', site: shop.siteId, recv: Date.now(), events: [queuedClick(who, start - 1000)] }],
      counted.db,
    );
    expect(acked(result, 1)).toBe(true);
    expect(counted.calls()).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
    expect(counted.maxBatch()).toBeLessThanOrEqual(STATEMENTS_PER_BATCH);
    await settled();
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 2000 })]);
  });

  it('retries the messages of a site whose step failed, with backoff, and acknowledges the others', async () => {
    const [broken, fine] = await Promise.all([createSite(), createSite()]);
    const who = visitor();
    const failing = wrapD1(env.DB, (sql) => sql.startsWith('insert into touches'));
    const result = await deliver(
      [
        { k: 'events', site: broken.siteId, recv: Date.now(), events: [queuedClick(who)] },
        { k: 'events', site: fine.siteId, recv: Date.now(), events: [{ ...queuedClick(who), t: 'instance' }] },
      ],
      failing.db,
      3,
    );
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([`m-${messageId - 1}`]);
    expect(result.explicitAcks).toEqual([`m-${messageId}`]);
    expect(await countEvents(broken.siteId)).toBe(0);
    expect(await countEvents(fine.siteId)).toBe(1);
  });

  it('repairs a step that died between storing events and attributing them when the message comes again', async () => {
    const shop = await createShop();
    const body = clickThenCheckout(shop.siteId);
    const crashing = wrapD1(env.DB, (sql) => sql.startsWith('update orders set applied'));
    const first = await deliver([body], crashing.db);
    expect(first.retryMessages).toHaveLength(1);
    expect(await countEvents(shop.siteId)).toBe(2);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 0 })]);
    const again = await deliver([body], env.DB, 2);
    expect(acked(again, 1)).toBe(true);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1 })]);
  });

  it('lets only one of two overlapping steps of a site apply; the other is retried on fresh data', async () => {
    const shop = await createShop();
    const who = visitor();
    let overlapped = false;
    // Another step of the same site commits between this step's read and its write.
    const racing = wrapD1(env.DB, (sql) => {
      if (!overlapped && sql.startsWith('insert into site_steps')) {
        overlapped = true;
        void env.DB.prepare('update site_steps set seq = seq + 1 where site_id = ?').bind(shop.siteId).run();
      }
      return false;
    });
    await env.DB.prepare('insert into site_steps (site_id, seq) values (?, 0)').bind(shop.siteId).run();
    const body: WorkMessage = { k: 'events', site: shop.siteId, recv: Date.now(), events: [queuedClick(who)] };
    const first = await deliver([body], racing.db);
    expect(first.retryMessages).toHaveLength(1);
    expect(await countEvents(shop.siteId)).toBe(0);
    expect(acked(await deliver([body], env.DB, 2), 1)).toBe(true);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1 })]);
  });

  it('parks what the queue gave up on in dead_letters, and replays it', async () => {
    const shop = await createShop();
    const who = visitor();
    const body: WorkMessage = { k: 'events', site: shop.siteId, recv: Date.now(), events: [queuedClick(who)] };
    const parked = await deliver([body], env.DB, 6, 'lasttouch-dead');
    expect(parked.ackAll).toBe(true);
    const row = await env.DB.prepare('select body, attempts from dead_letters').first<{
      body: string;
      attempts: number;
    }>();
    expect(JSON.parse(row!.body)).toEqual(body);
    expect(row!.attempts).toBe(6);
    const { replayDeadLetters } = await import('../src/jobs/dead-letters.js');
    expect(await replayDeadLetters(env, 100)).toBe(1);
    await settled();
    expect(await countEvents(shop.siteId)).toBe(1);
    expect(await env.DB.prepare('select count(*) as n from dead_letters').first('n')).toBe(0);
  });
});
