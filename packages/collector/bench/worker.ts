/**
 * The bench worker, run with the collector's wrangler.jsonc (same bindings, same D1): the
 * collector's own app, unchanged, for every path outside `/bench/`, plus measuring endpoints
 * that run the collector's code against the same local D1:
 *
 * - `POST /bench/raw-insert?site=ID`: the storage ceiling. The same batch body as `/v1/events`,
 *   stored as one multi-row INSERT into `events` (no validation, dedupe, derivers).
 * - `/bench/metered/<path>`: the app with a metered D1; D1's rows read/written come back in
 *   `x-rows-read`, `x-rows-written`, `x-statements`.
 * - `POST /bench/attribute`: re-attributes one order (the code stage 2 of ingestion runs),
 *   metered and timed.
 * - `POST /bench/candidates`: the candidate query attribution runs for a visitor, its rows read
 *   and its `EXPLAIN QUERY PLAN`.
 * - `GET /bench/counts`: rows per table.
 */

import type { WireEvent } from '@lasttouch/shared';
import { app } from '../src/app.ts';
import { loadInteractions } from '../src/attribution/queries.ts';
import { reattribute } from '../src/attribution/reattribute.ts';
import { createDb } from '../src/db/client.ts';
import type { Bindings } from '../src/env.ts';
import { loadVisitorOrders } from '../src/orders/queries.ts';
import { loadSite } from '../src/sites/queries.ts';
import { meterD1 } from './d1-meter.ts';

const json = (body: unknown, status = 200) => Response.json(body, { status });

type WireRow = Pick<WireEvent, 'id' | 't' | 'v' | 's' | 'ts' | 'p'>;

/** One INSERT for the whole batch: rows travel as one JSON parameter (D1 caps bound values). */
async function rawInsert(request: Request, env: Bindings): Promise<Response> {
  const site = new URL(request.url).searchParams.get('site') ?? 'bench';
  const { e } = (await request.json()) as { e: WireRow[] };
  const now = Date.now();
  const result = await env.DB.prepare(
    `insert into events (site_id, event_id, type, visitor_id, session_id, ts, client_ts, received_at, path, kind,
       widget_id, campaign, sequence, token, order_id, value_minor, currency)
     select ?1, j->>'id', j->>'t', j->>'v', j->>'s', j->>'ts', j->>'ts', ?2, j->>'p', j->>'k', j->>'w', j->>'c',
       j->>'q', j->>'tk', j->>'o', cast(round((j->>'val') * 100) as integer), j->>'cur'
     from (select value as j from json_each(?3))`,
  )
    .bind(site, now, JSON.stringify(e))
    .run();
  return json(
    { accepted: result.meta.changes, duplicates: 0, rejected: [], rowsWritten: result.meta.rows_written },
    202,
  );
}

async function metered(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  url.pathname = url.pathname.slice('/bench/metered'.length);
  const { db, usage } = meterD1(env.DB);
  const res = await app.fetch(new Request(url, request), { ...env, DB: db }, ctx);
  const headers = new Headers(res.headers);
  headers.set('x-rows-read', String(usage.rowsRead));
  headers.set('x-rows-written', String(usage.rowsWritten));
  headers.set('x-statements', String(usage.statements));
  return new Response(res.body, { status: res.status, headers });
}

async function attribute(body: { siteId: string; orderId: string }, env: Bindings): Promise<Response> {
  const site = await loadSite(createDb(env.DB), body.siteId);
  if (!site) return json({ error: 'no such site' }, 404);
  const { db, usage } = meterD1(env.DB);
  const started = performance.now();
  await reattribute(db, site, { orderIds: [body.orderId] }, Date.now());
  const ms = performance.now() - started;
  const candidateQueries = usage.log.filter((q) => /from interactions/i.test(q.sql));
  return json({
    ms,
    statements: usage.statements,
    rowsRead: usage.rowsRead,
    rowsWritten: usage.rowsWritten,
    candidateRowsRead: candidateQueries.reduce((n, q) => n + q.rowsRead, 0),
  });
}

/** Runs `load` metered, and `EXPLAIN QUERY PLAN` of each statement it ran with the same values. */
async function plan(
  env: Bindings,
  load: (db: D1Database) => Promise<unknown[]>,
): Promise<{ rows: number; rowsRead: number; sql: string[]; plan: string[] }> {
  const { db, usage } = meterD1(env.DB);
  const rows = (await load(db)).length;
  const details: string[] = [];
  for (const q of usage.log) {
    const { results } = await env.DB.prepare(`explain query plan ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    details.push(...results.map((r) => r.detail));
  }
  return {
    rows,
    rowsRead: usage.rowsRead,
    sql: usage.log.map((q) => q.sql.replace(/\s+/g, ' ').trim()),
    plan: details,
  };
}

async function candidates(body: { siteId: string; visitorId: string }, env: Bindings): Promise<Response> {
  return json({
    interactions: await plan(env, (db) => loadInteractions(db, body.siteId, body.visitorId)),
    orders: await plan(env, (db) => loadVisitorOrders(db, body.siteId, body.visitorId)),
  });
}

const TABLES = [
  'events',
  'interactions',
  'distinct_facts',
  'widget_daily',
  'group_daily',
  'orders',
  'order_sources',
  'order_daily',
  'order_credit_daily',
  'order_touch_daily',
  'links',
  'link_landings',
  'link_contacts_daily',
  'attribution_queue',
];

async function counts(env: Bindings): Promise<Response> {
  const rows = await env.DB.batch(TABLES.map((t) => env.DB.prepare(`select '${t}' as name, count(*) as n from ${t}`)));
  return json(
    Object.fromEntries(rows.map((r) => [(r.results[0] as { name: string }).name, (r.results[0] as { n: number }).n])),
  );
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith('/bench/')) return app.fetch(request, env, ctx);
    if (pathname.startsWith('/bench/metered/')) return metered(request, env, ctx);
    if (pathname === '/bench/raw-insert') return rawInsert(request, env);
    if (pathname === '/bench/attribute') return attribute(await request.json(), env);
    if (pathname === '/bench/candidates') return candidates(await request.json(), env);
    if (pathname === '/bench/counts') return counts(env);
    return json({ error: 'unknown bench endpoint' }, 404);
  },
} satisfies ExportedHandler<Bindings>;
