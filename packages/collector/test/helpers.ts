/**
 * Shared helpers for collector tests: real requests through the worker, real local D1. The
 * events they send are built with ./sdk-events.ts.
 *
 * @example
 * const site = await createSite();
 * const res = await postEvents(site.writeKey, [widgetEvent({ t: 'click' }), checkoutEvent({ val: 12.5 })]);
 */
import { env, exports } from 'cloudflare:workers';
import type { CreateSiteResponse, IngestResponse } from '@lasttouch/shared';
import { consumerActivity } from '../src/jobs/queue-handler.js';
import { conformsToDocument } from './contract.js';

export const BASE_URL = 'https://collector.test';

/**
 * Calls the worker at `path` (e.g. `/v1/settings`). The answer must match the OpenAPI document
 * (test/contract.ts): every test that calls is a contract test too.
 */
export async function call(path: string, init?: RequestInit): Promise<Response> {
  const res = await exports.default.fetch(`${BASE_URL}${path}`, init);
  await conformsToDocument(init?.method ?? 'GET', path, res);
  return res;
}

/**
 * Calls the worker with `Authorization: Bearer key`; an object body is sent as JSON.
 *
 * @example await callWithKey(site.readKey, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'first' } })
 */
export const callWithKey = (key: string, path: string, init: { method?: string; body?: unknown } = {}) =>
  call(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      Authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

let counter = 0;
/** A unique id for events, visitors, sessions, orders. */
export const uid = (prefix = 'id'): string => `${prefix}-${++counter}-${crypto.randomUUID()}`;

/**
 * Creates a site through the real `POST /v1/sites` with the test admin token, in the `DB`
 * database unless told otherwise (the tests read `env.DB`; placement has its own test).
 */
export async function createSite(
  opts: { name?: string; allowedOrigins?: string[]; timezone?: string; database?: string } = {},
): Promise<CreateSiteResponse> {
  const res = await call('/v1/sites', {
    method: 'POST',
    headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: opts.name ?? 'Test shop', database: 'DB', ...opts }),
  });
  if (res.status !== 201) throw new Error(`createSite: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface PostEventsInit {
  /** `Origin` header, as a browser would send it. */
  origin?: string;
  /** Defaults to `text/plain;charset=UTF-8`, what `sendBeacon` sends. */
  contentType?: string;
  /** Send the key as `Authorization: Bearer` instead of the body's `k`. */
  keyInHeader?: boolean;
  /** Batch send time (`st`). */
  sentAt?: number;
  headers?: Record<string, string>;
}

/** Posts a batch to `POST /v1/events` as the SDK does (key in the body, text/plain). */
export function postEvents(writeKey: string, events: unknown[], init: PostEventsInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': init.contentType ?? 'text/plain;charset=UTF-8' };
  if (init.origin) headers.Origin = init.origin;
  if (init.keyInHeader) headers.Authorization = `Bearer ${writeKey}`;
  const body = { ...(init.keyInHeader ? {} : { k: writeKey }), ...(init.sentAt ? { st: init.sentAt } : {}), e: events };
  return call('/v1/events', { method: 'POST', headers: { ...headers, ...init.headers }, body: JSON.stringify(body) });
}

/** Posts a batch and returns the 202 body; throws on any other status. */
export async function ingest(writeKey: string, events: unknown[], init?: PostEventsInit): Promise<IngestResponse> {
  const res = await postEvents(writeKey, events, init);
  if (res.status !== 202) throw new Error(`ingest: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Number of stored events of a site (optionally of some event ids). */
export async function countEvents(siteId: string, ids?: string[]): Promise<number> {
  const row = ids
    ? await env.DB.prepare(
        'select count(*) as n from events where site_id = ? and event_id in (select value from json_each(?))',
      )
        .bind(siteId, JSON.stringify(ids))
        .first<{ n: number }>()
    : await env.DB.prepare('select count(*) as n from events where site_id = ?').bind(siteId).first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Row count of every table of the database, read through sqlite_master so a table added later
 * is covered too (D1's and SQLite's own tables excluded). Two equal snapshots around a
 * rejected request show it stored nothing.
 *
 * @example expect(await tableCounts()).toEqual(before)
 */
export async function tableCounts(): Promise<Record<string, number>> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations' order by name",
  ).all<{ name: string }>();
  // One row of scalar subqueries: D1 caps the terms of a compound (union) select.
  const sql = `select ${tables.map((t) => `(select count(*) from "${t.name}") as "${t.name}"`).join(', ')}`;
  return (await env.DB.prepare(sql).first<Record<string, number>>()) ?? {};
}

/** Every value of every table as one string, for "never stored" checks (keys, IPs, user agents). */
export async function dumpDatabase(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`select * from "${name}"`).all();
    parts.push(JSON.stringify(results));
  }
  return parts.join('\n');
}

/**
 * Retries an assertion until it passes or `timeoutMs` ends: work goes through the queue, so
 * what an accepted request changes shows within seconds, not at once.
 *
 * @example await eventually(async () => expect(await countEvents(site.siteId)).toBe(2));
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What changes whenever the consumer commits a step or parks a message, in every database. */
async function workFingerprint(): Promise<string> {
  const sql = `select (select coalesce(sum(seq), 0) from site_steps) || ':' || (select count(*) from dead_letters) as fp`;
  const rows = await Promise.all([env.DB, env.DB_2].map((db) => db.prepare(sql).first<{ fp: string }>()));
  return rows.map((r) => r?.fp).join('|');
}

/**
 * Waits until the work queue is idle: nothing waiting in it and no step committed for a few
 * polls. Tests call it before asserting that something did *not* happen (counted once, nothing
 * stored), where `eventually` cannot tell "not yet" from "never".
 */
export async function settled(timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let quiet = 0;
  let last = '';
  while (quiet < 3) {
    if (Date.now() > end) throw new Error('the work queue did not settle');
    const { backlogCount } = await env.WORK_QUEUE.metrics();
    const fingerprint = await workFingerprint();
    const idle = backlogCount === 0 && consumerActivity.running === 0;
    quiet = idle && fingerprint === last ? quiet + 1 : 0;
    last = fingerprint;
    await sleep(60);
  }
}
