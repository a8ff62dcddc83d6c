/**
 * Benchmark 4 and 5: stats and attribution at 10^4, 10^5 and 10^6 events, and the bytes they take.
 *
 * One site in the bench worker (the collector app and consumer plus metering endpoints,
 * bench/worker.ts) on a fresh local D1, running a 10 % holdout (so lift has cohorts). Tagged
 * links are issued through `POST /v1/links`; then, with the worker stopped, the synthetic mix
 * (spread over the last 27 days) and a probe customer with 10 devices are seeded with the
 * consumer's own steps (bench/seed.ts). At each scale the worker is started again and:
 * - every stats route is timed over HTTP (p50 of REPEATS), and its D1 rows read and calls taken
 *   from one request through a metered D1;
 * - the probe customer's order is reported by the store (`POST /v1/orders` with `customerId`)
 *   and the consumer invocation that attributes it is metered (D1 calls, rows read);
 * - the statements that load the probe customer are explained (`EXPLAIN QUERY PLAN`);
 * - the database's bytes, per table, are read from its file.
 * Last, the distinct-count sketch's error at 10^5 and 10^6 visitors (`measureSketchError`).
 */
import type { CreateSiteResponse, WireEvent } from '@lasttouch/shared';
import { fmt, machine, median, percentile, QUICK, ratio, table, writeResult } from '@lasttouch/shared/testing/bench';
import { CollectorApi, call } from '../e2e/harness/api.ts';
import { startWorker } from '../e2e/harness/wrangler-dev.ts';
import { measureSketchError } from '../src/stats/sketch.ts';
import { eventsPerSession, type SessionOptions, SHOP, sessionsEvents } from './generate.ts';
import { consumerIdle, resetConsumerLog, summarize } from './load.ts';
import { d1File, rowCounts, seedEvents, sizes } from './seed.ts';
import { SqliteD1 } from './sqlite-d1.ts';

const started = Date.now();
/** `BENCH_SCALES=10000,100000` picks other scales. */
const SCALES = process.env.BENCH_SCALES
  ? process.env.BENCH_SCALES.split(',').map(Number)
  : QUICK
    ? [1_000, 5_000]
    : [10_000, 100_000, 1_000_000];
const REPEATS = QUICK ? 5 : 15;
const LINKS = 60;
const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'sms', 'email', 'chat'];
const HOLDOUT = 0.1;
const DEVICES = 10;
const DAY = 86_400_000;
const HOUR = 3_600_000;

export const ENDPOINTS = [
  '/v1/stats/widgets',
  '/v1/stats/campaigns',
  '/v1/stats/sequences',
  '/v1/stats/top-actions',
  '/v1/stats/daily',
  '/v1/stats/daily?widget=w1',
  '/v1/stats/daily?campaign=c1',
  '/v1/stats/chat?groupBy=channel',
  '/v1/stats/chat?groupBy=agent',
  '/v1/stats/chat?groupBy=conversation',
  '/v1/stats/lift?groupBy=site',
  '/v1/stats/lift?groupBy=campaign',
  '/v1/stats/lift?groupBy=widget',
];

/**
 * The probe customer: `DEVICES` browsers, each logged in once, each with five widget showings
 * and qualifying clicks or hovers over the last three days, the last one landing through a
 * tagged link; an SDK checkout on the last device. The store then reports `probe-order` for the
 * customer (no visitor id): attribution reads every device.
 */
function probeEvents(now: number, token: string): WireEvent[] {
  const events: WireEvent[] = [];
  for (let d = 0; d < DEVICES; d++) {
    const v = `probe-device-${String(d).padStart(6, '0')}`;
    const base = { v, s: `${v}-s`, p: '/' };
    const t0 = now - 3 * DAY + d * HOUR;
    events.push({ ...base, id: `probe-${d}-identify`, t: 'identify', ts: t0, cu: 'probe-customer' });
    for (let i = 0; i < 5; i++) {
      const ts = t0 + (i + 1) * 60_000;
      const w = { k: i % 2 ? ('notification' as const) : ('popup' as const), w: `w${i}`, c: `c${i}` };
      events.push({ ...base, ...w, id: `probe-${d}-i${i}`, t: 'instance', ts });
      events.push({
        ...base,
        ...w,
        id: `probe-${d}-c${i}`,
        t: w.k === 'notification' ? 'hover' : 'click',
        ts: ts + 1_000,
      });
    }
    if (d === DEVICES - 1) {
      events.push({ ...base, id: 'probe-landing', t: 'landing', ts: now - DAY, tk: token });
      events.push({
        ...base,
        id: 'probe-checkout',
        t: 'checkout',
        ts: now - DAY + 60_000,
        o: 'probe-checkout',
        val: 49.9,
        cur: 'EUR',
      });
    }
  }
  return events;
}

export interface EndpointResult {
  path: string;
  p50Ms: number;
  p95Ms: number;
  rowsRead: number;
  calls: number;
  rows: number;
}

export interface ScaleResult {
  target: number;
  events: number;
  seedMs: number;
  seedRate: number;
  tables: Record<string, number>;
  bytes: { file: number; free: number; tables: Record<string, number> };
  endpoints: EndpointResult[];
  attribution: {
    /** The consumer invocation that merged and attributed the probe order. */
    invocationMs: number;
    calls: number;
    statements: number;
    maxBatch: number;
    rowsRead: number;
    rowsWritten: number;
    /** Loading the probe customer alone (the closure and the person's statements). */
    load: PersonLoad;
  };
}

export interface PersonLoad {
  devices: number;
  calls: number;
  statements: number;
  rowsRead: number;
  statementsRun: { sql: string; rowsRead: number; rows: number; plan: string[] }[];
}

async function measure(origin: string, site: CreateSiteResponse) {
  const tables = await call<Record<string, number>>(`${origin}/bench/counts`);
  const endpoints: EndpointResult[] = [];
  for (const path of ENDPOINTS) {
    const url = `${origin}${path}${path.includes('?') ? '&' : '?'}limit=5000`;
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < REPEATS + 2; i++) {
      const t0 = performance.now();
      const body = await call<{ rows: unknown[] }>(url, { key: site.readKey });
      if (i >= 2) times.push(performance.now() - t0);
      rows = body.rows.length;
    }
    const res = await fetch(url.replace(origin, `${origin}/bench/metered`), {
      headers: { authorization: `Bearer ${site.readKey}` },
    });
    if (!res.ok) throw new Error(`metered ${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    endpoints.push({
      path,
      p50Ms: median(times),
      p95Ms: percentile(times, 0.95),
      rowsRead: Number(res.headers.get('x-rows-read')),
      calls: Number(res.headers.get('x-d1-calls')),
      rows,
    });
  }
  const runs: ReturnType<typeof summarize>[] = [];
  for (let i = 0; i < REPEATS; i++) {
    await resetConsumerLog(origin);
    await call(`${origin}/v1/orders`, {
      key: site.readKey,
      body: { orderId: 'probe-order', customerId: 'probe-customer', value: 49.9, currency: 'EUR' },
    });
    runs.push(summarize((await consumerIdle(origin, { invocations: 1, quietMs: 1_500 })).invocations));
  }
  const last = runs.at(-1)!;
  const load = await call<PersonLoad>(`${origin}/bench/person`, {
    body: { siteId: site.siteId, customerId: 'probe-customer' },
  });
  return {
    tables,
    endpoints,
    attribution: {
      invocationMs: median(runs.map((r) => r.ms)),
      calls: last.calls,
      statements: last.statements,
      maxBatch: last.maxBatch,
      rowsRead: last.rowsRead,
      rowsWritten: last.rowsWritten,
      load,
    },
  };
}

const worker = await startWorker({ script: 'bench/worker.ts' });
const results: ScaleResult[] = [];
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
  await worker.stop();

  const now = Date.now();
  const gen: SessionOptions = { now, tokens, prefix: 'b', holdout: HOLDOUT };
  const perSession = eventsPerSession(gen);
  let sessions = 0;
  let events = 0;
  let probe = probeEvents(now, tokens[0]!);
  for (const target of SCALES) {
    const to = Math.ceil((target - probe.length) / perSession);
    const d1 = new SqliteD1(d1File(worker.persistDir));
    let seeded: Awaited<ReturnType<typeof seedEvents>>;
    let bytes: ReturnType<typeof sizes>;
    try {
      seeded = await seedEvents(d1, site.siteId, [...probe, ...sessionsEvents(sessions, to, gen)], now);
      bytes = sizes(d1);
      if (QUICK) console.log(rowCounts(d1));
    } finally {
      d1.close();
    }
    if (seeded.rejected > 0) throw new Error(`${seeded.rejected} generated events were rejected`);
    probe = [];
    sessions = to;
    events += seeded.accepted;
    const rate = seeded.accepted / (seeded.ms / 1000);
    process.stdout.write(`seeded ${fmt(events)} events (${fmt(Math.round(rate))} events/s)\n`);
    await worker.start();
    results.push({ target, events, seedMs: seeded.ms, seedRate: rate, bytes, ...(await measure(worker.origin, site)) });
    await worker.stop();
  }
} finally {
  await worker.dispose();
}

const sketch = (QUICK ? [10_000, 100_000] : [100_000, 1_000_000]).map((n) => measureSketchError(n, 20_261_127));

const first = results[0]!;
const lastScale = results.at(-1)!;
console.log('\nStats at scale (HTTP, bench worker = collector app; p50 of', REPEATS, 'requests)');
console.log(
  table(
    [
      'endpoint',
      ...results.flatMap((r) => [`p50 ms @${fmt(r.events)}`, `rows read @${fmt(r.events)}`]),
      'p50 vs smallest',
    ],
    ENDPOINTS.map((path, i) => [
      path,
      ...results.flatMap((r) => [fmt(r.endpoints[i]?.p50Ms, 1), fmt(r.endpoints[i]?.rowsRead)]),
      ratio(lastScale.endpoints[i]?.p50Ms ?? Number.NaN, first.endpoints[i]?.p50Ms ?? Number.NaN),
    ]),
  ),
);
console.log(`\nAttribution of one order of a customer with ${DEVICES} devices (consumer invocation, metered)`);
console.log(
  table(
    ['events', 'ms (median)', 'D1 calls', 'statements', 'rows read', 'person load: rows read'],
    results.map((r) => [
      fmt(r.events),
      fmt(r.attribution.invocationMs, 1),
      fmt(r.attribution.calls),
      fmt(r.attribution.statements),
      fmt(r.attribution.rowsRead),
      fmt(r.attribution.load.rowsRead),
    ]),
  ),
);
console.log(
  `\nBytes: ${results.map((r) => `${fmt(r.events)} events → ${fmt(Math.round(r.bytes.file / r.events))} B/event`).join(', ')}`,
);
console.log(
  `Sketch error: ${sketch.map((s) => `${fmt(s.distinct)} visitors → ${fmt(s.relativeError * 100, 3)} %`).join(', ')}`,
);

writeResult('scale', {
  machine: machine(),
  quick: QUICK,
  repeats: REPEATS,
  holdout: HOLDOUT,
  devices: DEVICES,
  mix: 'bench/generate.ts MIX, 10 % holdout',
  results,
  sketch,
  totalMs: Date.now() - started,
});
