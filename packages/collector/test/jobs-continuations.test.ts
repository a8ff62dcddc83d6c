import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Settings } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { CALLS_PER_INVOCATION } from '../src/db/budget.js';
import worker from '../src/index.js';
import { startJobStatement } from '../src/jobs/jobs-queries.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { saveSettingsStatement } from '../src/sites/queries.js';
import { createShop, HOUR, type Shop } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { countEvents, createSite, ingest, settled, uid } from './helpers.js';

let messageId = 0;
async function deliver(bodies: WorkMessage[], db: D1Database) {
  const batch = createMessageBatch<WorkMessage>(
    'lasttouch-work',
    bodies.map((body) => ({ id: `c-${++messageId}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, DB: db });
  return getQueueResult(batch, ctx);
}

/** `persons` visitors, each clicking the pop-up 60 s before an order. */
async function shopWithOrders(persons: number): Promise<Shop> {
  const shop = await createShop();
  const start = Date.now() - 10 * HOUR;
  for (let i = 0; i < persons; i += 50) {
    const events = Array.from({ length: Math.min(50, persons - i) }, (_, j) => {
      const v = uid('v');
      const ts = start + (i + j) * 1_000;
      return [
        { id: uid('e'), t: 'click', v, s: v, ts, p: '/', k: 'popup', w: 'swept' },
        { id: uid('e'), t: 'checkout', v, s: v, ts: ts + 60_000, p: '/', o: uid('o'), val: 10, cur: 'EUR' },
      ];
    }).flat();
    await ingest(shop.writeKey, events);
  }
  await settled(120_000);
  return shop;
}

/** Narrows the pop-up window to 30 s as `PUT /v1/settings` would, without sending the sweep's message. */
async function narrowWindow(shop: Shop): Promise<WorkMessage> {
  const settings: Settings = {
    allowedOrigins: [],
    attributionWindows: { default: 1_209_600, kinds: { popup: 30 }, channels: {}, campaigns: {} },
    creditPolicy: 'every',
    timezone: 'UTC',
  };
  const [saved] = await env.DB.batch<{ version: number }>([
    saveSettingsStatement(env.DB, shop.siteId, settings, true),
    startJobStatement(env.DB, shop.siteId, 'sweep', null, null, Date.now() + 60_000),
  ]);
  return { k: 'sweep', site: shop.siteId, version: saved!.results[0]!.version, cursor: null };
}

const creditedOrders = async (shop: Shop) => (await shop.widgets()).rows.reduce((n, r) => n + Number(r.orders), 0);

describe('continuations of a step', () => {
  it("run in the same invocation with the budget the batch's messages left, after every one of them", async () => {
    const shop = await shopWithOrders(350);
    expect(await creditedOrders(shop)).toBe(350);
    const other = await createSite();
    const sweep = await narrowWindow(shop);
    const order: string[] = [];
    const counted = wrapD1(env.DB, (sql) => {
      if (sql.startsWith('select distinct visitor_id')) order.push('sweep page');
      if (sql.startsWith('insert into events')) order.push('other site');
      return false;
    });
    const now = Date.now();
    const result = await deliver(
      [
        sweep,
        {
          k: 'events',
          site: other.siteId,
          recv: now,
          events: [{ id: uid('e'), t: 'instance', v: 'v', s: 's', ts: now, cts: now, k: 'popup', w: 'x' }],
        },
      ],
      counted.db,
    );
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toHaveLength(0);
    expect(counted.calls()).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
    // 350 persons are four pages: the first from the message, the other site, then the rest here.
    expect(order).toEqual(['sweep page', 'other site', 'sweep page', 'sweep page', 'sweep page']);
    expect((await env.WORK_QUEUE.metrics()).backlogCount).toBe(0);
    expect(await creditedOrders(shop)).toBe(0);
    expect(await countEvents(other.siteId)).toBe(1);
    expect(
      await env.DB.prepare("select count(*) as n from jobs where site_id = ? and kind = 'sweep'")
        .bind(shop.siteId)
        .first('n'),
    ).toBe(0);
  });

  it('queue what the budget cannot take, and the sweep still finishes', async () => {
    const shop = await shopWithOrders(1_200);
    const sweep = await narrowWindow(shop);
    const counted = wrapD1(env.DB);
    const result = await deliver([sweep], counted.db);
    expect(result.explicitAcks).toHaveLength(1);
    expect(counted.calls()).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
    // Twelve pages do not fit in one invocation: some were left to the queue.
    expect(await creditedOrders(shop)).toBeGreaterThan(0);
    await settled(120_000);
    expect(await creditedOrders(shop)).toBe(0);
  });
});
