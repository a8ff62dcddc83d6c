/**
 * Benchmarks 4 and 5: stats latency and attribution cost at 10^4, 10^5 and 10^6 events.
 *
 * One site in the bench worker (the collector app plus metering endpoints, bench/worker.ts) on
 * a fresh local D1. Tagged links are issued through `POST /v1/links`; a probe visitor (a fixed
 * history and one order) is ingested through `POST /v1/events`; the synthetic mix is then
 * seeded in bulk with the collector's ingest code (bench/seed.ts) while the worker is stopped.
 * At each scale the worker is started again and every stats endpoint is timed over HTTP, with
 * D1's rows read per request, then the probe order is re-attributed (time, rows read) and the
 * candidate query explained.
 *
 * The 10^6 step runs only if the seeding rate measured so far says it fits the time budget
 * (below); otherwise the gap is recorded.
 */
import type { CreateSiteResponse } from '@lasttouch/shared';
import { fmt, machine, median, percentile, QUICK, ratio, table, writeResult } from '@lasttouch/shared/testing/bench';
import { CollectorApi, call } from '../e2e/harness/api.ts';
import { startWorker } from '../e2e/harness/wrangler-dev.ts';
import { SHOP, sessionEvents } from './generate.ts';
import { seedSessions } from './seed.ts';

const started = Date.now();
/**
 * Time this bench may take: `BENCH_SCALE_BUDGET_S`, else what is left of `pnpm bench`'s ten
 * minutes (it exports `BENCH_T0`, its start in epoch seconds) minus a margin, else 330 s.
 */
const BUDGET_MS = process.env.BENCH_SCALE_BUDGET_S
  ? Number(process.env.BENCH_SCALE_BUDGET_S) * 1000
  : process.env.BENCH_T0
    ? Number(process.env.BENCH_T0) * 1000 + 570_000 - started
    : 330_000;
/** `BENCH_SCALES=10000,100000` picks other scales. */
const SCALES = process.env.BENCH_SCALES
  ? process.env.BENCH_SCALES.split(',').map(Number)
  : QUICK
    ? [1_000, 5_000]
    : [10_000, 100_000, 1_000_000];
const REPEATS = QUICK ? 5 : 15;
const LINKS = 60;
const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'sms', 'email', 'chat'];

const ENDPOINTS = [
  '/v1/stats/widgets',
  '/v1/stats/campaigns',
  '/v1/stats/sequences',
  '/v1/stats/top-actions',
  '/v1/stats/chat?groupBy=channel',
  '/v1/stats/chat?groupBy=conversation',
];

const DAY = 86_400_000;

/** The probe: one visitor with a fixed history, identical at every scale. */
function probeEvents(now: number, token: string) {
  const who = { v: 'probe-visitor', s: 'probe-session', p: '/' };
  const widgets = [
    { k: 'popup', w: 'w0', c: 'c0' },
    { k: 'notification', w: 'w1', c: 'c1', q: 'q1' },
    { k: 'block', w: 'w2', c: 'c2' },
  ] as const;
  const events: object[] = [];
  for (let i = 0; i < 12; i++) {
    const w = widgets[i % widgets.length] as (typeof widgets)[number];
    const ts = now - 3 * DAY + i * 3_600_000;
    events.push({ ...who, id: `probe-i${i}`, t: 'instance', ts, ...w });
    events.push({ ...who, id: `probe-c${i}`, t: w.k === 'notification' ? 'hover' : 'click', ts: ts + 1_000, ...w });
  }
  events.push({ ...who, id: 'probe-landing', t: 'landing', ts: now - DAY, tk: token });
  events.push({
    ...who,
    id: 'probe-checkout',
    t: 'checkout',
    ts: now - DAY + 60_000,
    o: 'probe-order',
    val: 49.9,
    cur: 'EUR',
  });
  return events;
}

export interface EndpointResult {
  path: string;
  p50Ms: number;
  p95Ms: number;
  rowsRead: number;
  rows: number;
}

export interface ScaleResult {
  target: number;
  events: number;
  seedMs: number;
  seedRate: number;
  tables: Record<string, number>;
  endpoints: EndpointResult[];
  attribution: {
    ms: number;
    rowsRead: number;
    statements: number;
    candidateRowsRead: number;
    candidates: number;
    plan: string[];
    ordersPlan: string[];
    sql: string;
  };
}

async function measure(
  origin: string,
  site: CreateSiteResponse,
): Promise<Omit<ScaleResult, 'target' | 'events' | 'seedMs' | 'seedRate'>> {
  const tables = await call<Record<string, number>>(`${origin}/bench/counts`);
  const endpoints: EndpointResult[] = [];
  for (const path of ENDPOINTS) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < REPEATS + 2; i++) {
      const t0 = performance.now();
      const body = await call<{ rows: unknown[] }>(`${origin}${path}`, { key: site.readKey });
      if (i >= 2) times.push(performance.now() - t0);
      rows = body.rows.length;
    }
    const res = await fetch(`${origin}/bench/metered${path}`, { headers: { authorization: `Bearer ${site.readKey}` } });
    if (!res.ok) throw new Error(`metered ${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    endpoints.push({
      path,
      p50Ms: median(times),
      p95Ms: percentile(times, 0.95),
      rowsRead: Number(res.headers.get('x-rows-read')),
      rows,
    });
  }
  const runs: { ms: number; rowsRead: number; statements: number; candidateRowsRead: number }[] = [];
  for (let i = 0; i < REPEATS; i++) {
    runs.push(await call(`${origin}/bench/attribute`, { body: { siteId: site.siteId, orderId: 'probe-order' } }));
  }
  const plan = await call<{
    interactions: { rows: number; rowsRead: number; sql: string[]; plan: string[] };
    orders: { plan: string[] };
  }>(`${origin}/bench/candidates`, { body: { siteId: site.siteId, visitorId: 'probe-visitor' } });
  const last = runs[runs.length - 1] as (typeof runs)[number];
  return {
    tables,
    endpoints,
    attribution: {
      ms: median(runs.map((r) => r.ms)),
      rowsRead: last.rowsRead,
      statements: last.statements,
      candidateRowsRead: plan.interactions.rowsRead,
      candidates: plan.interactions.rows,
      plan: plan.interactions.plan,
      ordersPlan: plan.orders.plan,
      sql: plan.interactions.sql[0] ?? '',
    },
  };
}

const worker = await startWorker({ script: 'bench/worker.ts' });
const results: ScaleResult[] = [];
const gaps: string[] = [];
try {
  const site = await new CollectorApi(worker.origin).createSite([SHOP]);
  const tokens: string[] = [];
  for (let i = 0; i < LINKS; i++) {
    const { url } = await call<{ url: string }>(`${worker.origin}/v1/links`, {
      key: site.agentKey,
      body: {
        url: `${SHOP}/p/${i}`,
        conversation: `conv${i}`,
        channel: CHANNELS[i % CHANNELS.length],
        agent: `agent${i % 5}`,
      },
      expect: 201,
    });
    tokens.push(new URL(url).searchParams.get('lt_c') as string);
  }
  const now = Date.now();
  await call(`${worker.origin}/v1/events`, {
    body: { k: site.writeKey, e: probeEvents(now, tokens[0] as string) },
    text: true,
    expect: 202,
  });
  await worker.stop();

  const gen = { now, tokens, prefix: 'b' };
  // The generator is deterministic: count events per session once to size each step.
  let sample = 0;
  for (let n = 0; n < 2_000; n++) sample += sessionEvents(n, gen).length;
  const perSession = sample / 2_000;

  let sessions = 0;
  let events = 0;
  let rate = 0;
  for (const target of SCALES) {
    const to = Math.ceil(target / perSession);
    const remaining = BUDGET_MS - (Date.now() - started);
    const projected = rate > 0 ? ((target - events) / rate) * 1000 + 30_000 : 0;
    if (projected > remaining) {
      gaps.push(
        `${fmt(target)} events not seeded: at the ${fmt(Math.round(rate))} events/s measured so far it would take about ` +
          `${fmt(Math.round(projected / 1000))} s, and ${fmt(Math.round(remaining / 1000))} s of this bench's budget remained.`,
      );
      break;
    }
    const seeded = await seedSessions(worker.persistDir, site.siteId, sessions, to, { ...gen, sessionsPerBatch: 500 });
    if (seeded.rejected > 0) throw new Error(`${seeded.rejected} generated events were rejected`);
    sessions = to;
    events += seeded.accepted;
    rate = seeded.accepted / (seeded.ms / 1000);
    process.stdout.write(`seeded ${fmt(events)} events (${fmt(Math.round(rate))} events/s)\n`);
    await worker.start();
    results.push({ target, events, seedMs: seeded.ms, seedRate: rate, ...(await measure(worker.origin, site)) });
    await worker.stop();
  }
} finally {
  await worker.dispose();
}

const first = results[0];
console.log('\nStats latency at scale (HTTP, bench worker = collector app; p50 of', REPEATS, 'requests)');
console.log(
  table(
    [
      'endpoint',
      ...results.flatMap((r) => [`p50 ms @${fmt(r.events)}`, `rows read @${fmt(r.events)}`]),
      'p50 vs smallest',
    ],
    ENDPOINTS.map((path, i) => [
      path,
      ...results.flatMap((r) => [fmt(r.endpoints[i]?.p50Ms), fmt(r.endpoints[i]?.rowsRead)]),
      ratio(results.at(-1)?.endpoints[i]?.p50Ms ?? Number.NaN, first?.endpoints[i]?.p50Ms ?? Number.NaN),
    ]),
  ),
);
console.log('\nAttribution of one order (probe visitor: 12 widget interactions, 1 landing, 1 order)');
console.log(
  table(
    ['events', 'ms (median)', 'rows read', 'statements', 'candidate rows read', 'candidates'],
    results.map((r) => [
      fmt(r.events),
      fmt(r.attribution.ms),
      fmt(r.attribution.rowsRead),
      fmt(r.attribution.statements),
      fmt(r.attribution.candidateRowsRead),
      fmt(r.attribution.candidates),
    ]),
  ),
);
console.log(`\nCandidate query plan: ${results.at(-1)?.attribution.plan.join('; ')}`);
for (const gap of gaps) console.log(`GAP: ${gap}`);

writeResult('scale', {
  machine: machine(),
  quick: QUICK,
  repeats: REPEATS,
  mix: 'bench/generate.ts MIX',
  results,
  gaps,
  totalMs: Date.now() - started,
});
