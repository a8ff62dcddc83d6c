/**
 * The bench worker, run with the collector's wrangler.jsonc (same bindings, same D1, same work
 * queue): the collector's own app, unchanged, for every path outside `/bench/`, and its own
 * queue consumer, unchanged, run with every D1 call metered per invocation (and, when asked,
 * with a share of its writes failing). Measuring endpoints run the collector's code against the
 * same local D1:
 *
 * - `POST /bench/raw-insert?site=ID`: the storage ceiling. The same batch body as `/v1/events`,
 *   stored by one multi-row INSERT (one JSON parameter) into a bare table, `raw_events`
 *   (WITHOUT ROWID, its primary key only: one row written per event). No validation, no dedupe,
 *   no queue, no aggregates.
 * - `/bench/metered/<path>`: the app with a metered D1; D1's rows read/written come back in
 *   `x-rows-read`, `x-rows-written`, `x-d1-calls`, `x-statements`.
 * - `/bench/unlimited/<path>`: the app with rate limits answering at once (see `unlimitedApp`).
 * - `GET /bench/consumer`: what each consumer invocation since the last `POST
 *   /bench/consumer/reset` cost (D1 calls, largest batch, rows read and written, messages,
 *   events); `POST /bench/faults {rate, seed}` makes that share of the consumer's D1 writes fail.
 * - `POST /bench/person`: the statements attribution runs to load one person (a customer by
 *   its clear id, or a visitor), metered, with `EXPLAIN QUERY PLAN` of each.
 * - `POST /bench/path`: `POST /v1/events`'s steps, each timed inside the worker.
 * - `GET /bench/counts`: rows per table; `GET /bench/ids?site=ID`: a site's stored event ids.
 */

import { batchEnvelope } from '@lasttouch/shared/validate';
import { app } from '../src/app.ts';
import { personStatements, planPersons } from '../src/attribution/persons.ts';
import { D1Budget, metered } from '../src/db/budget.ts';
import { databaseOf } from '../src/db/databases.ts';
import type { Bindings } from '../src/env.ts';
import { enforceRateLimit } from '../src/http/rate-limit.ts';
import { customerHash } from '../src/identity/customer-hash.ts';
import { linkClosureStatement } from '../src/identity/links.ts';
import type { CustomerLink, PersonKey } from '../src/identity/person.ts';
import { sortBatch } from '../src/ingest/batch.ts';
import { idsOf, splitDuplicates, storedIdsStatement } from '../src/ingest/dedupe.ts';
import { DEAD_LETTER_QUEUE, storeDeadLetters } from '../src/jobs/dead-letters.ts';
import type { WorkMessage } from '../src/jobs/messages.ts';
import { handleWorkBatch } from '../src/jobs/queue-handler.ts';
import { loadSites } from '../src/sites/queries.ts';
import { authenticate } from '../src/sites/require-key.ts';
import { type D1Usage, emptyUsage, meterD1 } from './d1-meter.ts';
import { faultyD1 } from './faulty-d1.ts';

const json = (body: unknown, status = 200) => Response.json(body, { status });

const RAW_TABLE = `create table if not exists raw_events (site_id text not null, event_id text not null,
  type text not null, visitor_id text not null, session_id text not null, ts integer not null, data text not null,
  primary key (site_id, event_id)) without rowid`;
const RAW_INSERT = `insert into raw_events (site_id, event_id, type, visitor_id, session_id, ts, data)
  select ?1, j.value->>'id', j.value->>'t', j.value->>'v', j.value->>'s', j.value->>'ts', j.value from json_each(?2) j`;
let rawReady = false;

/** One INSERT for the whole batch: rows travel as one JSON parameter (D1 caps bound values). */
async function rawInsert(request: Request, env: Bindings): Promise<Response> {
  const site = new URL(request.url).searchParams.get('site') ?? 'bench';
  const { e } = (await request.json()) as { e: unknown[] };
  if (!rawReady) {
    await env.DB.exec(RAW_TABLE.replace(/\n\s*/g, ' '));
    rawReady = true;
  }
  const result = await env.DB.prepare(RAW_INSERT).bind(site, JSON.stringify(e)).run();
  return json(
    { accepted: result.meta.changes, duplicates: 0, rejected: [], rowsWritten: result.meta.rows_written },
    202,
  );
}

async function meteredApp(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  url.pathname = url.pathname.slice('/bench/metered'.length);
  const usage = emptyUsage();
  const res = await app.fetch(new Request(url, request), meteredEnv(env, usage), ctx);
  const headers = new Headers(res.headers);
  headers.set('x-rows-read', String(usage.rowsRead));
  headers.set('x-rows-written', String(usage.rowsWritten));
  headers.set('x-d1-calls', String(usage.calls));
  headers.set('x-statements', String(usage.statements));
  return new Response(res.body, { status: res.status, headers });
}

/** Rate limits that answer at once, as the platform's local counters do (not a persisted Durable Object). */
const unlimited: RateLimit = { limit: async () => ({ success: true }) };

/**
 * `/bench/unlimited/<path>`: the app with its rate-limit bindings answering at once. Local
 * workerd emulates each limiter call as a request to a Durable Object that writes its counter to
 * SQLite on disk; this separates that emulation's cost from the collector's own.
 */
async function unlimitedApp(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  url.pathname = url.pathname.slice('/bench/unlimited'.length);
  const limiters = Object.fromEntries(
    Object.keys(env)
      .filter((name) => name.endsWith('_LIMITER'))
      .map((name) => [name, unlimited]),
  );
  return app.fetch(new Request(url, request), { ...env, ...limiters }, ctx);
}

/** `env` with every D1 binding metered into `usage` (and failing writes, when `faults` asks). */
function meteredEnv(env: Bindings, usage: D1Usage, wrap: (db: D1Database) => D1Database = (db) => db): Bindings {
  const out: Record<string, unknown> = { ...env };
  for (const [name, value] of Object.entries(env)) {
    if (/^DB(_\d+)?$/.test(name)) out[name] = wrap(meterD1(value as D1Database, { usage }).db);
  }
  return out as unknown as Bindings;
}

// --- the consumer, metered ----------------------------------------------------------------------

export interface Invocation {
  messages: number;
  kinds: Record<string, number>;
  events: number;
  calls: number;
  statements: number;
  maxBatch: number;
  rowsRead: number;
  rowsWritten: number;
  ms: number;
  /** When it ended (UTC ms, the worker's clock: the time of its last I/O). */
  endedAt: number;
  /** Writes made to fail in this invocation. */
  injected: number;
}

/** Process-local (one isolate serves `wrangler dev`): read through `GET /bench/consumer`. */
const consumer = { invocations: [] as Invocation[], faults: { rate: 0, seed: 1 }, injected: 0 };

async function consume(batch: MessageBatch<WorkMessage>, env: Bindings): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE) return storeDeadLetters(batch, env);
  const usage = emptyUsage();
  const failures = { count: 0 };
  const { rate } = consumer.faults;
  const wrap = (db: D1Database) =>
    rate > 0 ? faultyD1(db, { rate, random: nextRandom, onFail: () => failures.count++ }) : db;
  const kinds: Record<string, number> = {};
  let events = 0;
  for (const m of batch.messages) {
    kinds[m.body.k] = (kinds[m.body.k] ?? 0) + 1;
    if (m.body.k === 'events') events += m.body.events.length;
  }
  const started = performance.now();
  try {
    await handleWorkBatch(batch, meteredEnv(env, usage, wrap));
  } finally {
    consumer.injected += failures.count;
    consumer.invocations.push({
      messages: batch.messages.length,
      kinds,
      events,
      calls: usage.calls,
      statements: usage.statements,
      maxBatch: usage.maxBatch,
      rowsRead: usage.rowsRead,
      rowsWritten: usage.rowsWritten,
      ms: performance.now() - started,
      endedAt: Date.now(),
      injected: failures.count,
    });
  }
}

/** mulberry32 over the seed `POST /bench/faults` set: the same run fails the same draws. */
function nextRandom(): number {
  consumer.faults.seed = (consumer.faults.seed + 0x6d2b79f5) | 0;
  let t = consumer.faults.seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

// --- where the time of POST /v1/events goes -------------------------------------------------------

/**
 * The steps of `POST /v1/events` (src/routes/events.ts), in the same order with the same calls,
 * each timed inside the worker (workerd advances its clock on I/O): the key lookup (a write key
 * resolved in the last 5 s comes from memory), the rate limits, validation, the duplicate read,
 * the queue send. The events are queued for real.
 */
async function pathTiming(request: Request, env: Bindings): Promise<Response> {
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    ms[name] = now - t;
    t = now;
  };
  const batch = batchEnvelope.parse(await request.json());
  lap('body');
  const found = await authenticate(request, env, batch.k, ['write'], env.EVENTS_ADDRESS_LIMITER);
  lap('address limit, key lookup (D1, or memory within 5 s)');
  await enforceRateLimit(env.EVENTS_SITE_LIMITER, found.site.id, 'site');
  lap('site rate limit');
  const now = Date.now();
  const { accepted } = sortBatch(batch.e, batch.st, now);
  for (const e of accepted) if (e.cu !== undefined) e.cu = await customerHash(found.site.customerSecret, e.cu);
  lap('validation');
  const stored = await storedIdsStatement(
    databaseOf(env, found.site.database),
    found.site.id,
    accepted.map((e) => e.id),
    now,
  ).all();
  const { fresh } = splitDuplicates(accepted, idsOf(stored));
  lap('duplicate read (D1)');
  if (fresh.length > 0)
    await env.WORK_QUEUE.send({ k: 'events', site: found.site.id, recv: now, events: fresh } satisfies WorkMessage);
  lap('queue send');
  return json({ accepted: fresh.length, duplicates: accepted.length - fresh.length, rejected: [], ms }, 202);
}

// --- loading one person, explained ---------------------------------------------------------------

/** The link closure and person loads attribution runs for one person, metered and explained. */
async function person(body: { siteId: string; customerId?: string; visitorId?: string }, env: Bindings) {
  const site = (await loadSites(env.DB, [body.siteId])).get(body.siteId);
  if (!site) return json({ error: 'no such site' }, 404);
  const customer = body.customerId === undefined ? null : await customerHash(site.customerSecret, body.customerId);
  const { db, usage } = meterD1(env.DB, { log: true });
  const budget = new D1Budget();
  const d1 = metered(db, budget);
  const started = performance.now();
  const [closure] = await d1.batch([
    linkClosureStatement(d1, site.id, body.visitorId ? [body.visitorId] : [], customer ? [customer] : []),
  ]);
  const links = (closure?.results ?? []) as unknown as CustomerLink[];
  const key: PersonKey = customer ? `c:${customer}` : `v:${body.visitorId}`;
  const [plan] = planPersons([{ key, from: null }], links, site.settings);
  const results = await d1.batch(personStatements(d1, site.id, plan!));
  const ms = performance.now() - started;
  const explained: { sql: string; rowsRead: number; rows: number; plan: string[] }[] = [];
  for (const [i, q] of usage.log.entries()) {
    const { results: steps } = await env.DB.prepare(`explain query plan ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    const rows = i === 0 ? links.length : (results[i - 1]?.results.length ?? 0);
    explained.push({
      sql: q.sql.replace(/\s+/g, ' ').trim(),
      rowsRead: q.rowsRead,
      rows,
      plan: steps.map((s) => s.detail),
    });
  }
  return json({
    devices: plan!.visitors.length,
    calls: budget.calls,
    statements: usage.statements,
    rowsRead: usage.rowsRead,
    ms,
    statementsRun: explained,
  });
}

async function counts(env: Bindings): Promise<Response> {
  const { results: tables } = await env.DB.prepare(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations' order by name",
  ).all<{ name: string }>();
  const sql = `select ${tables.map((t) => `(select count(*) from "${t.name}") as "${t.name}"`).join(', ')}`;
  return json((await env.DB.prepare(sql).first<Record<string, number>>()) ?? {});
}

/** Every stored event id of a site (the dedupe table), duplicates included if there were any. */
async function ids(env: Bindings, siteId: string): Promise<Response> {
  const { results } = await env.DB.prepare('select event_id as id from events where site_id = ?1')
    .bind(siteId)
    .all<{ id: string }>();
  return json({ ids: results.map((r) => r.id) });
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith('/bench/')) return app.fetch(request, env, ctx);
    if (pathname.startsWith('/bench/metered/')) return meteredApp(request, env, ctx);
    if (pathname.startsWith('/bench/unlimited/')) return unlimitedApp(request, env, ctx);
    if (pathname === '/bench/raw-insert') return rawInsert(request, env);
    if (pathname === '/bench/path') return pathTiming(request, env);
    if (pathname === '/bench/person') return person(await request.json(), env);
    if (pathname === '/bench/counts') return counts(env);
    if (pathname === '/bench/ids') return ids(env, new URL(request.url).searchParams.get('site') ?? '');
    if (pathname === '/bench/consumer') return json({ invocations: consumer.invocations, injected: consumer.injected });
    if (pathname === '/bench/consumer/reset') {
      consumer.invocations = [];
      consumer.injected = 0;
      return json({ ok: true });
    }
    if (pathname === '/bench/faults') {
      const { rate, seed } = (await request.json()) as { rate: number; seed?: number };
      consumer.faults = { rate, seed: seed ?? 1 };
      return json({ ok: true });
    }
    return json({ error: 'unknown bench endpoint' }, 404);
  },
  queue: consume,
} satisfies ExportedHandler<Bindings, WorkMessage>;
