/**
 * `pnpm soak`: a bounded load run through the queue path, against the bench worker (the
 * collector's app and consumer, unchanged) under `wrangler dev` on loopback with a fresh local D1.
 *
 * Many simulated visitors send their events in small batches, the way the SDK does, with what
 * real storefronts produce: the same batch sent twice (beacon plus fetch), requests abandoned
 * mid-flight and sent again, a failed batch re-sent together with the next, batches of all
 * visitors interleaved out of order; every batch is resent until acknowledged (backing off on
 * 5xx and 429 per `Retry-After`). Two runs on two sites:
 *
 * 1. clean: then the stored event ids and the stats API are compared with a recount made here
 *    from what was sent (never from what the collector answered);
 * 2. the consumer's D1 writes failing at `SOAK_FAULT_RATE` (20 %; half before the write applies,
 *    half after it committed with the answer lost: bench/faulty-d1.ts): messages are retried
 *    with backoff, those that fail every retry go to the dead-letter queue and are parked in
 *    `dead_letters`; once the queue is idle the faults stop and `scripts/replay.mjs` (the
 *    `replay` command) sends them back; then the same comparison.
 *
 * Exits non-zero if anything acknowledged is lost or counted twice, or a stat differs from the
 * recount. Env: SOAK_EVENTS (100,000 per run), SOAK_CONCURRENCY (8), SOAK_FAULT_RATE (0.2),
 * SOAK_SEED; SOAK_RUNS=clean or faults runs one of them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CreateSiteResponse, GroupStatsRow, StatsEnvelope, WidgetStatsRow } from '@lasttouch/shared';
import { seededRandom as rng } from '@lasttouch/shared/testing';
import { writeResult } from '@lasttouch/shared/testing/bench';
import { CollectorApi, call } from '../e2e/harness/api.ts';
import { ADMIN_TOKEN, startWorker, type Worker } from '../e2e/harness/wrangler-dev.ts';
import { consumerIdle, consumerLog, resetConsumerLog, summarize } from './load.ts';

const EVENTS = Number(process.env.SOAK_EVENTS ?? 100_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const FAULT_RATE = Number(process.env.SOAK_FAULT_RATE ?? 0.2);
const SEED = Number(process.env.SOAK_SEED ?? 20_261_127);
const RUNS = (process.env.SOAK_RUNS ?? 'clean,faults').split(',');
const MAX_ATTEMPTS = 50;
const WIDGETS = [
  { k: 'popup', w: 'spring-sale', c: 'spring' },
  { k: 'notification', w: 'ship-free', c: 'spring' },
  { k: 'block', w: 'hero', c: 'fall' },
  { k: 'popup', w: 'exit-intent', c: 'fall', q: 'onboarding' },
  { k: 'notification', w: 'restock', q: 'onboarding' },
] as const;
const WINDOW_MS = 14 * 86_400_000;

interface Event {
  id: string;
  t: string;
  v: string;
  s: string;
  ts: number;
  p: string;
  [field: string]: unknown;
}

const pad = (id: string) => (id.length >= 20 ? id : `${id}_${'x'.repeat(19 - id.length)}`);

/** What was sent, recounted here: the expected stats. */
class Recount {
  readonly widgets = new Map<
    string,
    { instances: number; clicks: Set<string>; hovers: Set<string>; dismisses: number; orders: number; value: number }
  >();
  readonly groups = new Map<string, { started: Set<string>; profiles: Set<string> }>();
  orders = 0;
  value = 0;

  widget(id: string) {
    const w = this.widgets.get(id) ?? {
      instances: 0,
      clicks: new Set(),
      hovers: new Set(),
      dismisses: 0,
      orders: 0,
      value: 0,
    };
    this.widgets.set(id, w);
    return w;
  }

  group(key: string) {
    const g = this.groups.get(key) ?? { started: new Set<string>(), profiles: new Set<string>() };
    this.groups.set(key, g);
    return g;
  }

  /** One visitor's events, as the rules of docs/attribution.md count them. */
  add(events: Event[]): void {
    const touches: { ts: number; widget: string }[] = [];
    for (const e of events) {
      const w = typeof e.w === 'string' ? this.widget(e.w) : undefined;
      if (e.t === 'instance') {
        w!.instances++;
        for (const [type, id] of [
          ['campaign', e.c],
          ['sequence', e.q],
        ] as const) {
          if (typeof id !== 'string') continue;
          this.group(`${type}:${id}`).started.add(e.s);
          this.group(`${type}:${id}`).profiles.add(e.v);
        }
      } else if (e.t === 'dismiss') w!.dismisses++;
      else if (e.t === 'click') {
        w!.clicks.add(e.s);
        touches.push({ ts: e.ts, widget: e.w as string });
      } else if (e.t === 'hover') {
        w!.hovers.add(e.s);
        if (e.k === 'notification') touches.push({ ts: e.ts, widget: e.w as string });
      } else if (e.t === 'checkout') {
        const minor = Math.round((e.val as number) * 100);
        this.orders++;
        this.value += minor;
        const winner = touches.filter((t) => t.ts <= e.ts && e.ts - t.ts <= WINDOW_MS).sort((a, b) => b.ts - a.ts)[0];
        if (winner) {
          const credited = this.widget(winner.widget);
          credited.orders++;
          credited.value += minor;
        }
      }
    }
  }
}

/** One visitor's session: shown 1–3 widgets, each maybe hovered, clicked or dismissed; an order for 30 %. */
function visitor(random: () => number, run: string, n: number, now: number): Event[] {
  const v = pad(`${run}v${n}`);
  const s = pad(`${run}s${n}`);
  let ts = now - 2 * 3_600_000 + Math.floor(random() * 7_000_000);
  let seq = 0;
  const event = (t: string, extra: Record<string, unknown> = {}): Event => {
    ts += 200 + Math.floor(random() * 3_000);
    return { id: pad(`${run}e${n}.${seq++}`), t, v, s, ts, p: '/p', ...extra };
  };
  const events: Event[] = [];
  const shown = 1 + Math.floor(random() * 3);
  for (let i = 0; i < shown; i++) {
    const w = WIDGETS[Math.floor(random() * WIDGETS.length)]!;
    events.push(event('instance', w));
    if (w.k === 'notification' && random() < 0.4) events.push(event('hover', w));
    if (random() < 0.35) events.push(event('click', w));
    else if (random() < 0.2) events.push(event('dismiss', w));
  }
  if (random() < 0.3)
    events.push(event('checkout', { o: `${run}o${n}`, val: Math.floor(random() * 20_000) / 100, cur: 'EUR' }));
  return events;
}

/** Batches as the SDK forms them: 1–6 events; a failed one sometimes re-sent together with the next. */
function batchesOf(random: () => number, events: Event[]): Event[][] {
  const batches: Event[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + Math.floor(random() * 6);
    batches.push(events.slice(i, i + size));
    i += size;
  }
  if (batches.length > 1 && random() < 0.2) batches.push([...batches[0]!, ...batches[1]!]);
  return batches;
}

interface Counters {
  requests: number;
  aborted: number;
  duplicateSends: number;
  statuses: Record<string, number>;
}

async function sendUntilAcknowledged(
  origin: string,
  key: string,
  batch: Event[],
  random: () => number,
  c: Counters,
  acknowledged: Set<string>,
) {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    c.requests++;
    // Some requests are abandoned mid-flight (tab closed, network switch): the collector may or
    // may not have queued the batch, so the client sends it again.
    const controller = new AbortController();
    if (random() < 0.1) setTimeout(() => controller.abort(), Math.floor(random() * 15));
    try {
      const res = await fetch(`${origin}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ k: key, st: Date.now(), e: batch }),
        signal: controller.signal,
      });
      c.statuses[res.status] = (c.statuses[res.status] ?? 0) + 1;
      if (res.status === 202) {
        const body = (await res.json()) as { rejected: unknown[] };
        if (body.rejected.length) throw new Error(`rejected: ${JSON.stringify(body.rejected)}`);
        for (const e of batch) acknowledged.add(e.id);
        return;
      }
      await res.arrayBuffer();
      if (res.status < 500 && res.status !== 429) throw new Error(`${res.status} for a valid batch`);
      const retryAfter = Number(res.headers.get('Retry-After') ?? 0);
      await new Promise((r) => setTimeout(r, Math.min(retryAfter * 1000, 2_000) || 50 * attempt));
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
      c.aborted++;
    }
  }
  throw new Error(`batch not acknowledged after ${MAX_ATTEMPTS} attempts`);
}

const run = promisify(execFile);

const deadLetters = async (origin: string) =>
  (await call<Record<string, number>>(`${origin}/bench/counts`)).dead_letters ?? 0;

/** Waits until the work queue has been idle for `quietMs`: no consumer invocation in that time. */
const queueIdle = (origin: string, quietMs: number) =>
  consumerIdle(origin, { quietMs, timeoutMs: 3_600_000, pollMs: 1_000 });

async function soak(worker: Worker, name: 'clean' | 'faults') {
  const random = rng(SEED + (name === 'faults' ? 1 : 0));
  const api = new CollectorApi(worker.origin);
  // No allowed origins: the simulated visitors send no Origin, as servers and apps do.
  const site: CreateSiteResponse = await api.createSite([]);
  const recount = new Recount();
  const now = Date.now();
  const sent = new Set<string>();
  const queue: Event[][] = [];
  const counters: Counters = { requests: 0, aborted: 0, duplicateSends: 0, statuses: {} };
  let visitors = 0;
  for (let n = 0; sent.size < EVENTS; n++, visitors++) {
    const events = visitor(random, name[0]!, n, now);
    recount.add(events);
    for (const e of events) sent.add(e.id);
    for (const batch of batchesOf(random, events)) {
      queue.push(batch);
      // The same batch sent twice: a beacon on pagehide and the queued fetch.
      if (random() < 0.15) {
        queue.push(batch);
        counters.duplicateSends++;
      }
    }
  }
  // Out of order: batches of all visitors interleaved at random.
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [queue[i], queue[j]] = [queue[j]!, queue[i]!];
  }
  const batches = queue.length;

  await resetConsumerLog(worker.origin);
  if (name === 'faults') await call(`${worker.origin}/bench/faults`, { body: { rate: FAULT_RATE, seed: SEED } });
  const acknowledged = new Set<string>();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queue.length)
        await sendUntilAcknowledged(worker.origin, site.writeKey, queue[next++]!, random, counters, acknowledged);
    }),
  );
  const sendSeconds = (performance.now() - t0) / 1000;
  // Retries back off up to 32 s: the queue is idle once nothing ran for longer than that.
  await queueIdle(worker.origin, name === 'faults' ? 45_000 : 5_000);
  const drainedSeconds = (performance.now() - t0) / 1000;
  const { invocations, injected } = await consumerLog(worker.origin);
  let parked = 0;
  let replay = '';
  if (name === 'faults') {
    await call(`${worker.origin}/bench/faults`, { body: { rate: 0 } });
    parked = await deadLetters(worker.origin);
    const { stdout } = await run(
      process.execPath,
      [join(import.meta.dirname, '../scripts/replay.mjs'), '--url', worker.origin],
      {
        env: { ...process.env, ADMIN_TOKEN },
      },
    );
    replay = stdout.trim();
    await queueIdle(worker.origin, 5_000);
  }
  const consumer = summarize((await consumerLog(worker.origin)).invocations);

  // What the merchant sees, then what is stored, against the recount.
  const widgets = await api.get<StatsEnvelope<WidgetStatsRow>>('/v1/stats/widgets?limit=5000', site.readKey);
  const campaigns = await api.get<StatsEnvelope<GroupStatsRow>>('/v1/stats/campaigns?limit=5000', site.readKey);
  const sequences = await api.get<StatsEnvelope<GroupStatsRow>>('/v1/stats/sequences?limit=5000', site.readKey);
  const chat = await api.get<{ totals: { websiteTransactions: number; websiteTurnover: number }[] }>(
    '/v1/stats/chat',
    site.readKey,
  );
  const stored = await call<{ ids: string[] }>(`${worker.origin}/bench/ids?site=${site.siteId}`);
  const storedIds = new Set(stored.ids);
  const storedRows = stored.ids.length;
  const lost = [...acknowledged].filter((id) => !storedIds.has(id)).length;
  const strangers = [...storedIds].filter((id) => !sent.has(id)).length;
  const left = await deadLetters(worker.origin);

  const mismatches: string[] = [];
  for (const [id, want] of recount.widgets) {
    const rows = widgets.rows.filter((r) => r.id === id);
    const sum = (k: 'instances' | 'clicks' | 'hovers' | 'dismisses' | 'orders') => rows.reduce((n, r) => n + r[k], 0);
    const got = {
      instances: sum('instances'),
      clicks: sum('clicks'),
      hovers: sum('hovers'),
      dismisses: sum('dismisses'),
      orders: sum('orders'),
      value: Math.round(rows.reduce((n, r) => n + r.value, 0) * 100),
    };
    const expected = {
      instances: want.instances,
      clicks: want.clicks.size,
      hovers: want.hovers.size,
      dismisses: want.dismisses,
      orders: want.orders,
      value: want.value,
    };
    if (JSON.stringify(got) !== JSON.stringify(expected))
      mismatches.push(`${id}: stats ${JSON.stringify(got)} recount ${JSON.stringify(expected)}`);
  }
  let worstProfileError = 0;
  for (const [key, want] of recount.groups) {
    const [type, id] = key.split(':') as ['campaign' | 'sequence', string];
    const row = (type === 'campaign' ? campaigns : sequences).rows.find((r) => r.id === id);
    const error = row ? Math.abs(row.profiles - want.profiles.size) / want.profiles.size : 1;
    worstProfileError = Math.max(worstProfileError, error);
    // Profiles are exact up to 10,000 distinct visitors, then estimated within 2 % (docs/attribution.md).
    const profilesOk = want.profiles.size <= 10_000 ? error === 0 : error <= 0.02;
    if (row?.started !== want.started.size || !profilesOk) {
      mismatches.push(
        `${key}: stats started ${row?.started} profiles ${row?.profiles}, recount ${want.started.size} / ${want.profiles.size}`,
      );
    }
  }
  const totals = chat.totals[0];
  if (
    totals?.websiteTransactions !== recount.orders ||
    Math.round((totals?.websiteTurnover ?? 0) * 100) !== recount.value
  ) {
    mismatches.push(
      `totals: stats ${JSON.stringify(totals)} recount ${recount.orders} orders, ${recount.value / 100} EUR`,
    );
  }

  const result = {
    run: name,
    faultRate: name === 'faults' ? FAULT_RATE : 0,
    visitors,
    batches,
    duplicateSends: counters.duplicateSends,
    requests: counters.requests,
    aborted: counters.aborted,
    statuses: counters.statuses,
    sendSeconds,
    drainedSeconds,
    eventsSent: sent.size,
    acknowledged: acknowledged.size,
    stored: storedIds.size,
    storedRows,
    duplicatesStored: storedRows - storedIds.size,
    lost,
    strangers,
    injectedFailures: injected,
    retriedInvocations: invocations.filter((i) => i.injected > 0).length,
    parked,
    replay,
    leftParked: left,
    consumer,
    orders: recount.orders,
    worstProfileError,
    mismatches,
  };
  console.log(
    [
      `soak (${name}${name === 'faults' ? `, ${FAULT_RATE * 100} % of consumer writes failing` : ''}): ${batches} batches (${counters.duplicateSends} sent twice on purpose), concurrency ${CONCURRENCY}, seed ${SEED}`,
      `  requests ${counters.requests} in ${sendSeconds.toFixed(1)} s (${(counters.requests / sendSeconds).toFixed(0)}/s), abandoned mid-flight ${counters.aborted}, answers ${JSON.stringify(counters.statuses)}`,
      `  queue drained ${drainedSeconds.toFixed(1)} s after the first request; ${consumer.invocations} consumer invocations${name === 'faults' ? `, ${injected} writes failed on purpose, ${parked} messages parked, ${replay}` : ''}`,
      `  events sent ${sent.size}, acknowledged ${acknowledged.size}, stored ${storedIds.size}, stored twice ${storedRows - storedIds.size}, lost ${lost}`,
      `  stats vs recount (${recount.widgets.size} widgets, ${recount.groups.size} campaigns/sequences, ${recount.orders} orders): ${mismatches.length ? `${mismatches.length} mismatches\n    ${mismatches.join('\n    ')}` : 'equal'}`,
    ].join('\n'),
  );
  const ok =
    acknowledged.size === sent.size &&
    storedIds.size === sent.size &&
    storedRows === storedIds.size &&
    lost === 0 &&
    strangers === 0 &&
    left === 0 &&
    mismatches.length === 0;
  return { ...result, ok };
}

const worker = await startWorker({ script: 'bench/worker.ts' });
const results: Awaited<ReturnType<typeof soak>>[] = [];
try {
  for (const name of ['clean', 'faults'] as const) if (RUNS.includes(name)) results.push(await soak(worker, name));
} finally {
  await worker.dispose();
}
writeResult('soak', { events: EVENTS, concurrency: CONCURRENCY, seed: SEED, results });
if (results.some((r) => !r.ok)) process.exit(1);
