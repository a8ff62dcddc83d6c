/**
 * Benchmark 3: ingestion end to end through the work queue, in local workerd (`wrangler dev`).
 *
 * - Throughput: ≥ 50,000 events of the live mix (sessions of the last minutes), batches of 50,
 *   8 in flight, to `POST /v1/events`; events/s from the first request until every event is
 *   visible in the stats API (widget instances and the site's orders all counted). Same run,
 *   same worker, same batches: the storage ceiling, one JSON-parameter multi-row INSERT per
 *   batch into a bare table (bench/worker.ts `/bench/raw-insert`), and the harness ceiling, a
 *   no-op worker answering 202 (bench/noop-worker.ts), for the 202's latency.
 * - D1 rows written per event (`meta.rows_written`, index rows included) over every consumer
 *   invocation of that run, and per event type: 1,000 events of one type sent as 20 batches of
 *   50, the consumer taking them as it does (what a one-second batch window holds at 1,000
 *   events/s).
 * - What each consumer invocation cost: D1 calls and statements per batch (budget: 50, 1,000).
 */
import type { WireEvent } from '@lasttouch/shared';
import { fmt, machine, median, percentile, QUICK, ratio, table, writeResult } from '@lasttouch/shared/testing/bench';
import { CollectorApi, call } from '../e2e/harness/api.ts';
import { startWorker } from '../e2e/harness/wrangler-dev.ts';
import { type SessionOptions, SHOP, sessionsEvents } from './generate.ts';
import { batchesOf, consumerIdle, post, resetConsumerLog, sendAll, summarize, until } from './load.ts';

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? (QUICK ? 5_000 : 50_000));
const BATCH = 50;
const CONCURRENCY = 8;
/** Events per type for rows written: 20 batches of 50. */
const TYPE_EVENTS = QUICK ? 200 : 1_000;
const MINUTE = 60_000;

const started = Date.now();

/** The live mix: sessions that started in the last ten minutes, with landings through `tokens`. */
const live = (prefix: string, tokens: string[], extra: Partial<SessionOptions> = {}): SessionOptions => {
  const now = Date.now();
  return { now, window: { from: now - 10 * MINUTE, to: now - MINUTE }, prefix, tokens, ...extra };
};

/** The first `count` events of the mix (whole sessions, then cut). */
function mixEvents(count: number, opts: SessionOptions): WireEvent[] {
  const out: WireEvent[] = [];
  for (let n = 0; out.length < count; n += 100) out.push(...sessionsEvents(n, n + 100, opts));
  return out.slice(0, count);
}

/** `TYPE_EVENTS` events of each of `types`, picked from the mix's sessions in order. */
function eventsByType(opts: SessionOptions, types: string[]): [string, WireEvent[]][] {
  const sets = new Map(types.map((t) => [t, [] as WireEvent[]]));
  for (let n = 0; [...sets.values()].some((l) => l.length < TYPE_EVENTS); n++) {
    for (const e of sessionsEvents(n, n + 1, opts)) {
      const list = sets.get(e.t);
      if (list && list.length < TYPE_EVENTS) list.push(e);
    }
  }
  return [...sets];
}

/** What the stats API must show once every event of `events` is applied. */
function expectedStats(events: readonly WireEvent[]) {
  return {
    instances: events.filter((e) => e.t === 'instance').length,
    orders: new Set(events.flatMap((e) => (e.t === 'checkout' ? [e.o] : []))).size,
  };
}

async function issueTokens(origin: string, agentKey: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const { url } = await call<{ url: string }>(`${origin}/v1/links`, {
      key: agentKey,
      body: { url: `${SHOP}/p/${i}`, conversation: `conv${i}`, channel: 'whatsapp' },
      expect: 201,
    });
    tokens.push(new URL(url).searchParams.get('lt_c') as string);
  }
  return tokens;
}

interface Stats {
  instances: number;
  orders: number;
}

async function visibleStats(origin: string, readKey: string): Promise<Stats> {
  const today = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const q = `from=${today}&limit=5000`;
  const [widgets, chat] = await Promise.all([
    call<{ rows: { instances: number }[] }>(`${origin}/v1/stats/widgets?${q}`, { key: readKey }),
    call<{ totals: { websiteTransactions: number }[] }>(`${origin}/v1/stats/chat?${q}`, { key: readKey }),
  ]);
  return {
    instances: widgets.rows.reduce((n, r) => n + r.instances, 0),
    orders: chat.totals.reduce((n, t) => n + t.websiteTransactions, 0),
  };
}

// --- harness ceiling: the no-op worker --------------------------------------------------------------

const noop = await startWorker({ config: 'bench/wrangler.noop.jsonc', d1: false });
let noopRun: Awaited<ReturnType<typeof sendAll>>;
try {
  const batches = batchesOf(mixEvents(Math.min(EVENTS, 20_000), live('noop-', [])), BATCH);
  await sendAll(`${noop.origin}/v1/events`, 'none', batches.slice(0, 20), 2);
  noopRun = await sendAll(`${noop.origin}/v1/events`, 'none', batches, CONCURRENCY);
} finally {
  await noop.dispose();
}
process.stdout.write(
  `no-op: ${fmt(Math.round((noopRun.latencies.length * BATCH) / (noopRun.wallMs / 1000)))} events/s\n`,
);

// --- the bench worker: raw insert, then lasttouch, then rows written per type ---------------------

const bench = await startWorker({ script: 'bench/worker.ts' });
const result: Record<string, unknown> = {};
try {
  const api = new CollectorApi(bench.origin);
  const site = await api.createSite([SHOP]);
  const tokens = await issueTokens(bench.origin, site.agentKey, 20);
  const events = mixEvents(EVENTS, live('e2e-', tokens));
  const batches = batchesOf(events, BATCH);

  // Warm both paths (and the consumer) with traffic outside the measured run.
  const warm = batchesOf(mixEvents(2_000, live('warm-', tokens)), BATCH);
  await sendAll(`${bench.origin}/bench/raw-insert?site=warm`, 'none', warm, 2);
  await sendAll(`${bench.origin}/v1/events`, site.writeKey, warm, 2);
  await consumerIdle(bench.origin, { events: 2_000 });

  const raw = await sendAll(`${bench.origin}/bench/raw-insert?site=bench`, 'none', batches, CONCURRENCY);
  process.stdout.write(`raw insert: ${fmt(Math.round(events.length / (raw.wallMs / 1000)))} events/s\n`);

  /** Sends `batches` to `path` and times the first request until the stats show all of them. */
  const endToEnd = async (path: string, list: WireEvent[], batches: WireEvent[][]) => {
    const want = expectedStats(list);
    const base = await visibleStats(bench.origin, site.readKey);
    await resetConsumerLog(bench.origin);
    const run = await sendAll(`${bench.origin}${path}`, site.writeKey, batches, CONCURRENCY);
    const acceptedAt = run.startedAt + run.wallMs;
    const visibleAt = await until(async () => {
      const s = await visibleStats(bench.origin, site.readKey);
      return s.instances >= base.instances + want.instances && s.orders >= base.orders + want.orders;
    }, 600_000);
    const endToEndMs = visibleAt - run.startedAt;
    const { invocations } = await consumerIdle(bench.origin, { events: list.length });
    return {
      events: list.length,
      eventsPerSecond: list.length / (endToEndMs / 1000),
      acceptedPerSecond: list.length / (run.wallMs / 1000),
      endToEndMs,
      lagAfterLastAcceptMs: visibleAt - acceptedAt,
      ...timing(run),
      consumer: summarize(invocations),
    };
  };
  const measured = await endToEnd('/v1/events', events, batches);
  process.stdout.write(`lasttouch: ${fmt(Math.round(measured.eventsPerSecond))} events/s end to end\n`);
  const again = mixEvents(EVENTS, live('e2eu-', tokens));
  const unlimitedRun = await endToEnd('/bench/unlimited/v1/events', again, batchesOf(again, BATCH));
  process.stdout.write(
    `lasttouch, rate limits at once: ${fmt(Math.round(unlimitedRun.eventsPerSecond))} events/s end to end\n`,
  );

  // Where the 202's time goes: the route's steps timed inside the worker, idle consumer and at load.
  const pathTiming: Record<string, Record<string, number>> = {};
  for (const concurrency of [1, CONCURRENCY]) {
    const sample = batchesOf(mixEvents(QUICK ? 2_000 : 10_000, live(`path${concurrency}-`, tokens)), BATCH);
    const laps: Record<string, number>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < sample.length) {
          const body = JSON.stringify({ k: site.writeKey, st: Date.now(), e: sample[next++] });
          const res = await post(`${bench.origin}/bench/path`, body);
          laps.push((JSON.parse(res.text) as { ms: Record<string, number> }).ms);
        }
      }),
    );
    pathTiming[String(concurrency)] = Object.fromEntries(
      Object.keys(laps[0] ?? {}).map((step) => [step, median(laps.map((l) => l[step] ?? 0))]),
    );
    await consumerIdle(bench.origin, { quietMs: 2_000 });
  }

  // Rows written per event type, on the same site (its link tokens are valid there).
  const types: { type: string; events: number; rowsPerEvent: number; invocations: number }[] = [];
  const sets: [string, WireEvent[]][] = [
    ...eventsByType(live('rw-', tokens), ['instance', 'click', 'hover', 'dismiss', 'landing', 'checkout', 'identify']),
    ...eventsByType(live('rwh-', tokens, { holdout: 0.1 }), ['eligible']),
    ['mix', mixEvents(TYPE_EVENTS, live('rwm-', tokens))],
    ['mix, holdout running (10 %)', mixEvents(TYPE_EVENTS, live('rwmh-', tokens, { holdout: 0.1 }))],
  ];
  for (const [type, list] of sets) {
    await resetConsumerLog(bench.origin);
    await sendAll(`${bench.origin}/v1/events`, site.writeKey, batchesOf(list, BATCH), BATCH);
    const done = summarize((await consumerIdle(bench.origin, { events: list.length })).invocations);
    types.push({
      type,
      events: list.length,
      rowsPerEvent: done.rowsWritten / list.length,
      invocations: done.invocations,
    });
  }

  const one = await call<{ accepted: number; rowsWritten: number }>(`${bench.origin}/bench/raw-insert?site=rw`, {
    body: { e: mixEvents(50, live('rw-raw-', [])) },
    expect: 202,
  });
  result.noop = { events: noopRun.latencies.length * BATCH, ...timing(noopRun) };
  result.raw = {
    events: events.length,
    eventsPerSecond: events.length / (raw.wallMs / 1000),
    rowsPerEvent: one.rowsWritten / one.accepted,
    ...timing(raw),
  };
  const { consumer, ...lasttouch } = measured;
  result.lasttouch = lasttouch;
  result.unlimited = unlimitedRun;
  result.consumer = consumer;
  result.pathTiming = pathTiming;
  result.rowsWritten = { run: consumer.rowsWritten / consumer.events, types, raw: one.rowsWritten / one.accepted };
} finally {
  await bench.dispose();
}

function timing(run: Awaited<ReturnType<typeof sendAll>>) {
  return {
    requests: run.latencies.length,
    wallMs: run.wallMs,
    p50Ms: median(run.latencies),
    p99Ms: percentile(run.latencies, 0.99),
    retries: run.retries,
  };
}

type Timed = { eventsPerSecond?: number; p50Ms: number; p99Ms: number; requests: number };
const [n, r, l] = [result.noop, result.raw, result.lasttouch] as [Timed, Timed, Timed & { acceptedPerSecond: number }];
console.log(
  `\nIngest end to end, ${fmt(EVENTS)} events, batches of ${BATCH}, ${CONCURRENCY} in flight (local workerd)`,
);
console.log(
  table(
    ['target', 'events/s', 'vs raw insert', '202 p50 ms', '202 p99 ms'],
    [
      [
        'lasttouch: first request → all visible in stats',
        fmt(Math.round(l.eventsPerSecond!)),
        ratio(l.eventsPerSecond!, r.eventsPerSecond!),
        fmt(l.p50Ms, 1),
        fmt(l.p99Ms, 1),
      ],
      [
        'lasttouch, rate limits answering at once',
        fmt(Math.round((result.unlimited as Timed).eventsPerSecond!)),
        ratio((result.unlimited as Timed).eventsPerSecond!, r.eventsPerSecond!),
        fmt((result.unlimited as Timed).p50Ms, 1),
        fmt((result.unlimited as Timed).p99Ms, 1),
      ],
      [
        'lasttouch: accepted (202s only)',
        fmt(Math.round(l.acceptedPerSecond)),
        ratio(l.acceptedPerSecond, r.eventsPerSecond!),
        '',
        '',
      ],
      [
        'raw multi-row insert (storage ceiling)',
        fmt(Math.round(r.eventsPerSecond!)),
        '1.00×',
        fmt(r.p50Ms, 1),
        fmt(r.p99Ms, 1),
      ],
      ['no-op worker (harness ceiling)', '', '', fmt(n.p50Ms, 1), fmt(n.p99Ms, 1)],
    ],
  ),
);
const rw = result.rowsWritten as { run: number; types: { type: string; rowsPerEvent: number }[] };
console.log(`\nD1 rows written per event: ${fmt(rw.run, 2)} over the whole run`);
console.log(
  table(
    ['events', 'rows written / event'],
    rw.types.map((t) => [t.type, fmt(t.rowsPerEvent, 2)]),
  ),
);
console.log('\nPOST /v1/events, its steps timed inside the worker (median ms per request)');
const steps = result.pathTiming as Record<string, Record<string, number>>;
console.log(
  table(
    ['step', ...Object.keys(steps).map((c) => `${c} in flight`)],
    Object.keys(steps['1'] ?? {}).map((step) => [step, ...Object.values(steps).map((t) => fmt(t[step], 1))]),
  ),
);
const c = result.consumer as ReturnType<typeof summarize>;
console.log(
  `\nConsumer: ${c.invocations} invocations, up to ${c.maxMessages} messages / ${c.maxEvents} events each; ` +
    `worst D1 calls ${c.maxCalls} (budget 50), largest batch ${c.maxBatch} statements (budget 1,000)`,
);

writeResult('ingest', {
  machine: machine(),
  quick: QUICK,
  batch: BATCH,
  concurrency: CONCURRENCY,
  ...result,
  totalMs: Date.now() - started,
});
