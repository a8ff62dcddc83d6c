/**
 * Fair recovery made visible (issue 19, finding 3): a background job that keeps failing backs
 * off and is parked with its reason instead of taking a turn forever, and no message the
 * consumer cannot work holds the others. The queue handler is driven directly, its sends caught.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index.js';
import { dueJobsStatement, FAILURES_BEFORE_PARKING, startJobStatement } from '../src/jobs/jobs-queries.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { wrapD1 } from './d1-wrappers.js';
import { countEvents, createSite, uid } from './helpers.js';

let messageId = 0;

/** Runs the queue handler on `bodies` with `db` as `DB`; what it sends to the queue is kept, not sent. */
async function deliver(bodies: unknown[], db: D1Database, attempts = 1) {
  const sent: { body: WorkMessage; delaySeconds?: number }[] = [];
  const queue = {
    send: async (body: WorkMessage, options?: { delaySeconds?: number }) => {
      sent.push({ body, delaySeconds: options?.delaySeconds });
    },
    sendBatch: async (messages: { body: WorkMessage }[]) => {
      sent.push(...messages.map((m) => ({ body: m.body })));
    },
  } as unknown as Queue;
  const batch = createMessageBatch<WorkMessage>(
    'lasttouch-work',
    bodies.map((body) => ({ id: `r-${++messageId}`, timestamp: new Date(), attempts, body: body as WorkMessage })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, DB: db, WORK_QUEUE: queue });
  return { result: await getQueueResult(batch, ctx), sent, ids: batch.messages.map((m) => m.id) };
}

const instance = (v: string) => ({
  id: uid('ev'),
  t: 'instance',
  v,
  s: uid('s'),
  ts: Date.now(),
  cts: Date.now(),
  k: 'popup',
  w: 'w',
});

afterEach(() => vi.restoreAllMocks());

describe('fair recovery', () => {
  it('backs a failing sweep off and parks it with its reason after 8 failures, logged; other sites go on', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [broken, fine] = await Promise.all([createSite(), createSite()]);
    await startJobStatement(env.DB, broken.siteId, 'sweep', null, null, Date.now()).run();
    const failing = wrapD1(env.DB, (sql) => sql.includes('select distinct visitor_id'));
    const sweep: WorkMessage = { k: 'sweep', site: broken.siteId, version: 0, cursor: null };
    const delays: (number | undefined)[] = [];
    for (let i = 1; i <= FAILURES_BEFORE_PARKING; i++) {
      const events: WorkMessage = {
        k: 'events',
        site: fine.siteId,
        recv: Date.now(),
        events: [instance(uid('v'))] as never,
      };
      const { result, sent, ids } = await deliver([sweep, events], failing.db, i);
      // Acknowledged either way: the job's row counts its failures, not the queue's retries.
      expect(result.retryMessages).toEqual([]);
      expect(result.explicitAcks.sort()).toEqual([...ids].sort());
      delays.push(...sent.filter((s) => s.body.k === 'sweep').map((s) => s.delaySeconds));
    }
    // Each failure brings the same step back later (2ⁿ s), until the 8th parks it.
    expect(delays).toEqual([2, 4, 8, 16, 32, 64, 128]);
    const job = await env.DB.prepare(
      "select attempts, parked_reason as reason from jobs where site_id = ? and kind = 'sweep'",
    )
      .bind(broken.siteId)
      .first<{ attempts: number; reason: string }>();
    expect(job).toEqual({ attempts: 8, reason: expect.stringContaining('injected failure') });
    expect(errors.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('job parked'))).toEqual([
      expect.stringContaining(`sweep of site ${broken.siteId} after 8 failures: injected failure`),
    ]);
    // The cron's net skips it: a parked job takes no turn.
    const { results: due } = await dueJobsStatement(env.DB, Date.now() + 3_600_000, 1000).all<{ siteId: string }>();
    expect(due.map((j) => j.siteId)).not.toContain(broken.siteId);
    expect(await countEvents(fine.siteId)).toBe(FAILURES_BEFORE_PARKING);
    console.log(
      `[robustness] recovery: a sweep failing every step was parked after ${FAILURES_BEFORE_PARKING} tries (backoff 2 s … 128 s), logged with its reason; the other site's 8 batches all applied`,
    );
  });

  it('drops work for a site that no longer exists and retries an unreadable message alone, the others applied', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const site = await createSite();
    const ok: WorkMessage = { k: 'events', site: site.siteId, recv: Date.now(), events: [instance(uid('v'))] as never };
    const gone: WorkMessage = {
      k: 'events',
      site: 'deleted-site',
      recv: Date.now(),
      events: [instance(uid('v'))] as never,
    };
    const { result, ids } = await deliver([null, gone, { k: 'unknown-kind', site: site.siteId }, ok, 'text'], env.DB);
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual([ids[0], ids[2], ids[4]].sort());
    expect(result.explicitAcks.sort()).toEqual([ids[1], ids[3]].sort());
    expect(await countEvents(site.siteId)).toBe(1);
  });
});
