/**
 * Issue 19, finding 2: bounded work per invocation. The worst cases of the issue, measured from
 * outside with the wrapper of test/jobs-consumer.test.ts (every D1 call counted, a batch as one,
 * its size remembered): each consumer invocation stays within 50 D1 calls and 1,000 statements
 * per batch, and each HTTP request within a handful of calls, whatever the history. Prints the
 * figures of docs/reliability.md ("Integrity").
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { CALLS_PER_INVOCATION, STATEMENTS_PER_BATCH } from '../src/db/budget.js';
import worker from '../src/index.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { retryDelay } from '../src/jobs/queue-handler.js';
import { createShop, HOUR, visitor } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { BASE_URL, createSite, settled, uid } from './helpers.js';
import { clickThenCheckout, queuedCheckout, queuedClick } from './jobs-helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

let messageId = 0;

/**
 * Delivers `bodies` to the queue handler as one invocation with D1 counted; then lets the real
 * queue finish what the invocation re-queued. Answers the invocation's figures.
 */
async function measure(bodies: WorkMessage[]) {
  const counted = wrapD1(env.DB);
  const batch = createMessageBatch<WorkMessage>(
    'lasttouch-work',
    bodies.map((body) => ({ id: `b-${++messageId}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const started = Date.now();
  await worker.queue(batch, { ...env, DB: counted.db });
  const ms = Date.now() - started;
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
  expect(counted.calls()).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
  expect(counted.maxBatch()).toBeLessThanOrEqual(STATEMENTS_PER_BATCH);
  await settled();
  return { calls: counted.calls(), maxBatch: counted.maxBatch(), ms };
}

const line = (what: string, m: { calls: number; maxBatch: number; ms: number }) =>
  console.log(
    `[robustness] budget: ${what}: ${m.calls} D1 calls (of ${CALLS_PER_INVOCATION}), largest batch ${m.maxBatch} statements (of ${STATEMENTS_PER_BATCH}), ${m.ms} ms`,
  );

describe('bounded work per invocation', { timeout: 300_000 }, () => {
  it('repairs a crash between storing events and attributing them on the first retry, 2 s later', async () => {
    const shop = await createShop();
    const body = clickThenCheckout(shop.siteId);
    const crashing = wrapD1(env.DB, (sql) => sql.startsWith('update orders set applied'));
    const first = createMessageBatch<WorkMessage>('lasttouch-work', [
      { id: `b-${++messageId}`, timestamp: new Date(), attempts: 1, body },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(first, { ...env, DB: crashing.db });
    const crashed = await getQueueResult(first, ctx);
    expect(crashed.retryMessages).toHaveLength(1);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 0 })]);
    const retry = await measure([body]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1 })]);
    console.log(
      `[robustness] recovery: a step that crashed after storing a click and an order was repaired on the queue's first retry (after its ${retryDelay(1)} s retry delay), in ${retry.ms} ms and ${retry.calls} D1 calls`,
    );
  });

  it("the issue's worst cases stay within 50 D1 calls and 1,000 statements per batch", async () => {
    // A visitor with 2,000 orders, then one click earlier than all of them.
    const shop = await createShop();
    const heavy = visitor();
    const start = Date.now() - 10 * HOUR;
    for (let i = 0; i < 2000; i += 100) {
      await measure([
        {
          k: 'events',
          site: shop.siteId,
          recv: Date.now(),
          events: Array.from({ length: 100 }, (_, j) => queuedCheckout(heavy, start + (i + j) * 1000)),
        },
      ]);
    }
    line(
      'one click of a visitor with 2,000 orders',
      await measure([{ k: 'events', site: shop.siteId, recv: Date.now(), events: [queuedClick(heavy, start - 1000)] }]),
    );

    // 100 checkouts of 100 distinct visitors, each with a click before, in one batch.
    const buyers = Array.from({ length: 100 }, visitor);
    const orders = buyers.map(() => uid('order'));
    line(
      '100 checkouts of distinct visitors (with their clicks) in one message',
      await measure([
        {
          k: 'events',
          site: shop.siteId,
          recv: Date.now(),
          events: buyers.flatMap((b, i) => [
            queuedClick(b, Date.now() - HOUR),
            queuedCheckout(b, Date.now() - 1000, orders[i]),
          ]),
        },
      ]),
    );

    // The store's reports move those 100 orders to 100 new visitors: 100 order messages at once.
    const caught: WorkMessage[] = [];
    const queue = { send: async (body: WorkMessage) => void caught.push(body) } as unknown as Queue;
    for (const orderId of orders) {
      const res = await app.fetch(
        new Request(`${BASE_URL}/v1/orders`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${shop.readKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ orderId, value: 10, currency: 'EUR', visitorId: uid('visitor') }),
        }),
        { ...env, WORK_QUEUE: queue },
      );
      expect(res.status).toBe(200);
    }
    line('100 server reports moving orders to new visitors in one invocation', await measure(caught));

    // A settings sweep step over the site's persons.
    line(
      'one settings-sweep step (100 persons with orders)',
      await measure([{ k: 'sweep', site: shop.siteId, version: 0, cursor: null }]),
    );

    // One event for each of 50 sites.
    const sites = await Promise.all(Array.from({ length: 50 }, () => createSite()));
    line(
      'one event for each of 50 sites in one invocation',
      await measure(
        sites.map((s) => ({ k: 'events', site: s.siteId, recv: Date.now(), events: [queuedClick(visitor())] })),
      ),
    );
  });

  it('every HTTP request stays within a handful of D1 calls, whatever the history', async () => {
    const shop = await createShop({ allowedOrigins: ['https://shop.example'] });
    const who = visitor();
    await shop.send(
      Array.from({ length: 100 }, (_, i) => checkoutEvent({ ...who, o: `o-${i}`, ts: Date.now() - (i + 1) * 60_000 })),
    );
    const json = (key: string, method: string, path: string, body?: unknown) =>
      new Request(`${BASE_URL}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const requests = [
      json(shop.writeKey, 'POST', '/v1/events', { e: Array.from({ length: 100 }, () => widgetEvent({ ...who })) }),
      json(shop.readKey, 'POST', '/v1/orders', { orderId: 'o-1', value: 1, currency: 'EUR', visitorId: who.v }),
      json(shop.readKey, 'GET', '/v1/orders/o-1'),
      json(shop.agentKey, 'POST', '/v1/links', { url: 'https://shop.example/p', conversation: 'c', channel: 'sms' }),
      json(shop.readKey, 'PUT', '/v1/settings', { creditPolicy: 'first' }),
      ...['widgets', 'campaigns', 'sequences', 'top-actions', 'chat', 'daily', 'lift'].map((s) =>
        json(shop.readKey, 'GET', `/v1/stats/${s}`),
      ),
      json(shop.readKey, 'DELETE', '/v1/visitors/v-erased'),
      json(shop.readKey, 'POST', '/v1/keys/rotate', { kind: 'link-secret' }),
    ];
    const figures: string[] = [];
    let worst = 0;
    for (const req of requests) {
      const counted = wrapD1(env.DB);
      const route = `${req.method} ${new URL(req.url).pathname}`;
      const res = await app.fetch(req, { ...env, DB: counted.db });
      expect(res.status, route).toBeLessThan(300);
      worst = Math.max(worst, counted.calls());
      figures.push(`${route} ${counted.calls()}`);
    }
    expect(worst).toBeLessThanOrEqual(10);
    await settled();
    console.log(`[robustness] budget: HTTP requests, D1 calls each: ${figures.join(', ')}`);
  });
});
