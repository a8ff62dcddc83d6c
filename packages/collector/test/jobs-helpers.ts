/**
 * Helpers for tests of background work (settings sweeps, prune, the cron): a work queue that
 * keeps what is sent to it instead of delivering it, the worker's queue handler run by hand on
 * chosen messages, the events such messages carry, and the `jobs` rows.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { app } from '../src/app.js';
import worker from '../src/index.js';
import type { IngestEvent } from '../src/ingest/event.js';
import type { WorkMessage } from '../src/jobs/messages.js';
import { HOUR, visitor } from './attribution-helpers.js';
import { BASE_URL, uid } from './helpers.js';

/** A stand-in for `WORK_QUEUE` that keeps every message sent; `fail` makes sending throw. */
export function heldQueue(fail = false): { queue: Queue<WorkMessage>; sent: WorkMessage[] } {
  const sent: WorkMessage[] = [];
  const refuse = () => Promise.reject(new Error('queue unavailable'));
  const queue = {
    send: (body: WorkMessage) => (fail ? refuse() : Promise.resolve(void sent.push(body))),
    sendBatch: (messages: Iterable<MessageSendRequest<WorkMessage>>) =>
      fail ? refuse() : Promise.resolve(void sent.push(...[...messages].map((m) => m.body))),
    metrics: () => Promise.resolve({ backlogCount: 0, backlogBytes: 0 }),
  };
  return { queue: queue as unknown as Queue<WorkMessage>, sent };
}

/** `PUT /v1/settings` through the app with other bindings (a held queue, a wrapped database). */
export const putSettings = (readKey: string, patch: unknown, bindings: Partial<Cloudflare.Env>) =>
  app.request(
    `${BASE_URL}/v1/settings`,
    {
      method: 'PUT',
      headers: { Authorization: `Bearer ${readKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(patch),
    },
    { ...env, ...bindings },
  );

/** A visitor's pop-up click as the ingest route queues it (`cts`: when the collector received it). */
export const queuedClick = (who: { v: string; s: string }, ts = Date.now()): IngestEvent => ({
  id: uid('ev'),
  t: 'click',
  v: who.v,
  s: who.s,
  ts,
  cts: ts,
  k: 'popup',
  w: 'spring-sale',
});

/** A visitor's checkout of 1000 EUR as the ingest route queues it. */
export const queuedCheckout = (who: { v: string; s: string }, ts: number, o = uid('order')): IngestEvent => ({
  id: uid('ev'),
  t: 'checkout',
  v: who.v,
  s: who.s,
  ts,
  cts: ts,
  o,
  val: 1000,
  cur: 'EUR',
});

/** An events message of a new visitor's click, then an hour later their order. */
export const clickThenCheckout = (siteId: string): WorkMessage => {
  const who = visitor();
  const now = Date.now();
  return { k: 'events', site: siteId, recv: now, events: [queuedClick(who, now - HOUR), queuedCheckout(who, now)] };
};

let messageId = 0;

/**
 * Runs the worker's queue handler on `bodies` as the platform would deliver them, with other
 * bindings; answers which messages were acknowledged or retried.
 */
export async function deliver(bodies: WorkMessage[], bindings: Partial<Cloudflare.Env> = {}, attempts = 1) {
  const batch = createMessageBatch<WorkMessage>(
    'lasttouch-work',
    bodies.map((body) => ({ id: `job-${++messageId}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...bindings });
  return getQueueResult(batch, ctx);
}

/** Runs the worker's scheduled handler once, as the per-minute cron does. */
export async function cronRun(bindings: Partial<Cloudflare.Env> = {}): Promise<void> {
  const controller = { scheduledTime: Date.now(), cron: '* * * * *', noRetry() {} } as ScheduledController;
  await worker.scheduled(controller, { ...env, ...bindings });
}

export interface Job {
  kind: string;
  version: number;
  cursor: string | null;
  attempts: number;
  nextAt: number;
  parkedReason: string | null;
}

/** A site's job of `kind` (in the directory), if any. */
export const jobOf = (siteId: string, kind: 'sweep' | 'prune') =>
  env.DB.prepare(
    `select kind, version, cursor, attempts, next_at as nextAt, parked_reason as parkedReason
     from jobs where site_id = ? and kind = ?`,
  )
    .bind(siteId, kind)
    .first<Job>();

/** A site's settings version. */
export const versionOf = async (siteId: string): Promise<number> =>
  (await env.DB.prepare('select settings_version as v from sites where id = ?').bind(siteId).first<number>('v'))!;
