import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.js';
import type { IngestEvent } from '../src/ingest/event.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { createShop, visitor } from './attribution-helpers.js';
import { call, countEvents, settled, uid } from './helpers.js';

const click = (who: { v: string; s: string }): IngestEvent => {
  const ts = Date.now();
  return { id: uid('ev'), t: 'click', v: who.v, s: who.s, ts, cts: ts, k: 'popup', w: 'replayed' };
};

/** Hands `bodies` to the dead-letter queue's consumer, as the platform does after the last retry. */
async function park(bodies: WorkMessage[]) {
  const batch = createMessageBatch<WorkMessage>(
    'lasttouch-dead',
    bodies.map((body, i) => ({ id: `dead-${i}-${uid()}`, timestamp: new Date(), attempts: 6, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const replay = (token: string) =>
  call('/v1/admin/dead-letters/replay', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

const parked = async () => (await env.DB.prepare('select count(*) as n from dead_letters').first<number>('n')) ?? 0;

describe('POST /v1/admin/dead-letters/replay', () => {
  it('sends parked work back to the queue in bounded requests until none remain, counting nothing twice', async () => {
    const shop = await createShop();
    const bodies: WorkMessage[] = Array.from({ length: 50 }, () => ({
      k: 'events',
      site: shop.siteId,
      recv: Date.now(),
      events: [click(visitor())],
    }));
    // One of them was applied before it was parked (its answer was lost): replaying it changes nothing.
    await env.WORK_QUEUE.send(bodies[0]);
    await settled();
    expect((await park(bodies)).ackAll).toBe(true);
    expect(await parked()).toBe(50);

    const first = await replay(env.ADMIN_TOKEN);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ replayed: 45, remaining: 5 });
    expect(await (await replay(env.ADMIN_TOKEN)).json()).toEqual({ replayed: 5, remaining: 0 });
    expect(await (await replay(env.ADMIN_TOKEN)).json()).toEqual({ replayed: 0, remaining: 0 });
    await settled();
    expect(await countEvents(shop.siteId)).toBe(50);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ id: 'replayed', clicks: 50 })]);
  });

  it('needs the admin token and replays nothing without it', async () => {
    const shop = await createShop();
    await park([{ k: 'events', site: shop.siteId, recv: Date.now(), events: [click(visitor())] }]);
    const before = await parked();
    for (const res of [await replay('wrong-token'), await call('/v1/admin/dead-letters/replay', { method: 'POST' })]) {
      expect(res.status).toBe(401);
    }
    expect(await parked()).toBe(before);
  });
});
