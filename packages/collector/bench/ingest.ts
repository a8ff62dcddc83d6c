/**
 * Benchmark 3: ingest throughput of `POST /v1/events` in local workerd (`wrangler dev`), for
 * batches of 1, 20 and 50 events at concurrency 1 and 8, against two baselines served by the
 * same harness in the same run:
 * - harness ceiling: a worker answering 202 at once (bench/noop-worker.ts);
 * - storage ceiling: the same rows stored by one multi-row INSERT per batch into the same
 *   `events` table (bench/worker.ts `/bench/raw-insert`, same migrations).
 * Then D1's rows written per event (indexes and aggregates included), per event type, through
 * the collector's ingest code with a metered D1.
 */
import type { WireEvent } from '@lasttouch/shared';
import { fmt, machine, median, percentile, QUICK, ratio, table, writeResult } from '@lasttouch/shared/testing/bench';
import { CollectorApi, call } from '../e2e/harness/api.ts';
import { startWorker } from '../e2e/harness/wrangler-dev.ts';
import { SHOP, sessionsEvents } from './generate.ts';

const BATCHES = [1, 20, 50];
const CONCURRENCY = [1, 8];
/** Requests per case: bounded so the whole bench stays around a minute on two cores. */
const REQUESTS: Record<number, number> = QUICK ? { 1: 40, 20: 20, 50: 10 } : { 1: 200, 20: 100, 50: 50 };
const WARMUP = QUICK ? 5 : 20;

type Target = 'noop' | 'storage' | 'lasttouch';

interface CaseResult {
  target: Target;
  batch: number;
  concurrency: number;
  requests: number;
  events: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests sent again after 30 s without an answer. */
  retries: number;
}

/** Fresh events (never duplicates) for `count` batches of `size`, from sessions after `cursor.n`. */
function batches(count: number, size: number, cursor: { n: number; prefix: string }): WireEvent[][] {
  const out: WireEvent[][] = [];
  const pending: WireEvent[] = [];
  while (out.length < count) {
    if (pending.length < size) {
      pending.push(...sessionsEvents(cursor.n, cursor.n + 50, { now: Date.now(), prefix: cursor.prefix }));
      cursor.n += 50;
    }
    while (pending.length >= size && out.length < count) out.push(pending.splice(0, size));
  }
  return out;
}

/**
 * A request unanswered for 30 s is sent again (harmless: the collector dedupes by event id) and
 * counted; its latency runs from the first attempt. `wrangler dev` reloads the worker when a
 * source file changes, which can strand a request on a machine where the code is being edited.
 */
const TIMEOUT_MS = 30_000;

async function post(url: string, body: string): Promise<{ status: number; text: string; retries: number }> {
  for (let retries = 0; ; retries++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: SHOP },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { status: res.status, text: await res.text(), retries };
    } catch (err) {
      if (retries === 2) throw err;
    }
  }
}

async function runCase(
  url: string,
  writeKey: string,
  work: WireEvent[][],
  concurrency: number,
): Promise<{ wallMs: number; latencies: number[]; retries: number }> {
  const latencies: number[] = [];
  let retries = 0;
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const body = JSON.stringify({ k: writeKey, e: work[next++] });
      const t0 = performance.now();
      const res = await post(url, body);
      latencies.push(performance.now() - t0);
      retries += res.retries;
      if (res.status !== 202) throw new Error(`${url} answered ${res.status}: ${res.text}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { wallMs: performance.now() - started, latencies, retries };
}

async function measureTarget(target: Target, url: string, writeKey: string): Promise<CaseResult[]> {
  const cursor = { n: 0, prefix: `${target}-` };
  await runCase(url, writeKey, batches(WARMUP, 20, cursor), 2);
  const results: CaseResult[] = [];
  for (const batch of BATCHES) {
    for (const concurrency of CONCURRENCY) {
      const requests = REQUESTS[batch] as number;
      const work = batches(requests, batch, cursor);
      const { wallMs, latencies, retries } = await runCase(url, writeKey, work, concurrency);
      const events = requests * batch;
      results.push({
        target,
        batch,
        concurrency,
        requests,
        events,
        eventsPerSecond: events / (wallMs / 1000),
        p50Ms: median(latencies),
        p99Ms: percentile(latencies, 0.99),
        retries,
      });
      process.stdout.write(
        `${target} batch ${batch} x${concurrency}: ${fmt(Math.round(events / (wallMs / 1000)))} events/s\n`,
      );
    }
  }
  return results;
}

/** Rows written per event by the collector's ingest path, per event type and for the mix. */
async function rowsWritten(origin: string): Promise<{ type: string; events: number; rowsPerEvent: number }[]> {
  const site = await new CollectorApi(origin).createSite([SHOP]);
  const { url } = await call<{ url: string }>(`${origin}/v1/links`, {
    key: site.agentKey,
    body: { url: `${SHOP}/p`, conversation: 'conv', channel: 'whatsapp' },
    expect: 201,
  });
  const tokens = [new URL(url).searchParams.get('lt_c') as string];
  const all = sessionsEvents(0, 3_000, { now: Date.now(), prefix: 'rw-', tokens });
  const byType = new Map<string, WireEvent[]>();
  for (const e of all) byType.set(e.t, [...(byType.get(e.t) ?? []), e]);
  const sets: [string, WireEvent[]][] = [
    ...[...byType.entries()].map(([t, list]) => [t, list.slice(0, 50)] as [string, WireEvent[]]),
    ['mix', sessionsEvents(10_000, 10_100, { now: Date.now(), prefix: 'rw-', tokens }).slice(0, 50)],
  ];
  const out: { type: string; events: number; rowsPerEvent: number }[] = [];
  for (const [type, events] of sets) {
    const res = await fetch(`${origin}/bench/metered/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ k: site.writeKey, e: events }),
    });
    const body = (await res.json()) as { accepted: number };
    if (res.status !== 202 || body.accepted !== events.length)
      throw new Error(`metered ingest: ${res.status} ${JSON.stringify(body)}`);
    out.push({ type, events: events.length, rowsPerEvent: Number(res.headers.get('x-rows-written')) / events.length });
  }
  return out;
}

const started = Date.now();
const results: CaseResult[] = [];
let written: { type: string; events: number; rowsPerEvent: number }[] = [];
let storageRowsPerEvent = 0;

const noop = await startWorker({ config: 'bench/wrangler.noop.jsonc', d1: false });
try {
  results.push(...(await measureTarget('noop', `${noop.origin}/v1/events`, 'none')));
} finally {
  await noop.dispose();
}

const bench = await startWorker({ script: 'bench/worker.ts' });
try {
  results.push(...(await measureTarget('storage', `${bench.origin}/bench/raw-insert?site=bench`, 'none')));
  const one = await call<{ accepted: number; rowsWritten: number }>(`${bench.origin}/bench/raw-insert?site=rw`, {
    body: { e: sessionsEvents(0, 10, { now: Date.now(), prefix: 'rw-raw-' }) },
    expect: 202,
  });
  storageRowsPerEvent = one.rowsWritten / one.accepted;
  written = await rowsWritten(bench.origin);
} finally {
  await bench.dispose();
}

const collector = await startWorker();
try {
  const site = await new CollectorApi(collector.origin).createSite([SHOP]);
  results.push(...(await measureTarget('lasttouch', `${collector.origin}/v1/events`, site.writeKey)));
} finally {
  await collector.dispose();
}

const find = (target: Target, batch: number, concurrency: number) =>
  results.find((r) => r.target === target && r.batch === batch && r.concurrency === concurrency) as CaseResult;

console.log('\nIngest throughput, POST /v1/events in local workerd (events/s; latency in ms)');
console.log(
  table(
    [
      'batch',
      'conc.',
      'no-op ev/s',
      'raw insert ev/s',
      'lasttouch ev/s',
      'vs no-op',
      'vs raw insert',
      'lasttouch p50',
      'lasttouch p99',
      'raw insert p50',
      'no-op p50',
    ],
    BATCHES.flatMap((b) =>
      CONCURRENCY.map((c) => {
        const [n, s, l] = [find('noop', b, c), find('storage', b, c), find('lasttouch', b, c)];
        return [
          b,
          c,
          fmt(Math.round(n.eventsPerSecond)),
          fmt(Math.round(s.eventsPerSecond)),
          fmt(Math.round(l.eventsPerSecond)),
          ratio(l.eventsPerSecond, n.eventsPerSecond),
          ratio(l.eventsPerSecond, s.eventsPerSecond),
          fmt(l.p50Ms, 1),
          fmt(l.p99Ms, 1),
          fmt(s.p50Ms, 1),
          fmt(n.p50Ms, 1),
        ];
      }),
    ),
  ),
);
console.log('\nD1 rows written per event (tables + indexes + aggregates), batches of up to 50 of one type');
console.log(
  table(
    ['events', 'rows written / event'],
    [
      ...written.map((w) => [w.type, fmt(w.rowsPerEvent, 1)]),
      ['raw insert (storage ceiling)', fmt(storageRowsPerEvent, 1)],
    ],
  ),
);

writeResult('ingest', {
  machine: machine(),
  quick: QUICK,
  requests: REQUESTS,
  results,
  rowsWritten: written,
  storageRowsPerEvent,
  totalMs: Date.now() - started,
});
