/**
 * Benchmark 6: background work through the queue, in local workerd (`wrangler dev`, the bench
 * worker: the collector's app and consumer, each consumer invocation metered).
 *
 * - Settings change on a site with 10,000 orders (issue 14: settled within 60 s): 10,000
 *   visitors each click a pop-up and order, half 20 s after the click, half 60 s after. Once
 *   all 10,000 are credited, the pop-up window is set to 30 s (`PUT /v1/settings`); measured:
 *   the time until the stats show exactly the 5,000 orders (and their value) that the new window
 *   keeps, and a sample of order details agrees. The same run in the vitest plugin (workerd,
 *   queue batches delivered at once) is bench/settle.workerd.ts.
 * - Worst-case D1 calls per consumer invocation and statements per D1 batch (budget: 50 and
 *   1,000), over the cases issue 19 names and the ones above: a visitor with 2,000 orders then one
 *   click before them all; 100 checkouts from 100 visitors in one batch; 100 orders moved to new
 *   visitors; 100 sites' batches arriving at once; the sweep.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { WireEvent } from '@lasttouch/shared';
import { fmt, machine, QUICK, table, writeResult } from '@lasttouch/shared/testing/bench';
import { CollectorApi, call } from '../e2e/harness/api.ts';
import { startWorker } from '../e2e/harness/wrangler-dev.ts';
import { SHOP } from './generate.ts';
import { batchesOf, consumerIdle, resetConsumerLog, sendAll, summarize, until } from './load.ts';

const ORDERS = QUICK ? 1_000 : 10_000;
const HEAVY_VISITOR_ORDERS = QUICK ? 300 : 2_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const pad = (id: string) => (id.length >= 20 ? id : `${id}_${'x'.repeat(19 - id.length)}`);

const started = Date.now();
const worker = await startWorker({ script: 'bench/worker.ts' });
const api = new CollectorApi(worker.origin);
const scenarios: { name: string; events: number; summary: ReturnType<typeof summarize>; ms: number }[] = [];
let sweep: Record<string, unknown> = {};

/** Sends `events` in batches of 50 (8 in flight) and answers the consumer's work on them. */
async function run(name: string, writeKey: string, events: WireEvent[], wait: { events?: number } = {}) {
  await resetConsumerLog(worker.origin);
  const t0 = Date.now();
  await sendAll(`${worker.origin}/v1/events`, writeKey, batchesOf(events, 50), 8);
  const { invocations } = await consumerIdle(worker.origin, { events: wait.events ?? events.length });
  const summary = summarize(invocations);
  scenarios.push({ name, events: events.length, summary, ms: summary.lastEndedAt - t0 });
  return invocations;
}

const widgetOrders = async (readKey: string, id: string) => {
  const { rows } = await call<{ rows: { id: string; orders: number; value: number }[] }>(
    `${worker.origin}/v1/stats/widgets?limit=5000`,
    { key: readKey },
  );
  const mine = rows.filter((r) => r.id === id);
  return { orders: mine.reduce((n, r) => n + r.orders, 0), value: mine.reduce((n, r) => n + r.value, 0) };
};

try {
  // --- settings change on 10,000 orders -----------------------------------------------------------
  {
    const site = await api.createSite([SHOP]);
    const start = Date.now() - 20 * HOUR;
    const events: WireEvent[] = [];
    let keptValue = 0;
    for (let i = 0; i < ORDERS; i++) {
      const v = pad(`sweep-v${i}`);
      const ts = start + i * 5_000;
      const gap = i % 2 === 0 ? 20_000 : 60_000;
      const val = 10 + (i % 7);
      if (gap < 30_000) keptValue += val;
      events.push({ id: pad(`sweep-c${i}`), t: 'click', v, s: v, ts, p: '/', k: 'popup', w: 'sweep-popup' });
      events.push({
        id: pad(`sweep-o${i}`),
        t: 'checkout',
        v,
        s: v,
        ts: ts + gap,
        p: '/',
        o: `sweep-${i}`,
        val,
        cur: 'EUR',
      });
    }
    const kept = Math.ceil(ORDERS / 2);
    const ingestT0 = performance.now();
    await run('10,000 orders: ingest (clicks and checkouts)', site.writeKey, events);
    await until(async () => (await widgetOrders(site.readKey, 'sweep-popup')).orders === ORDERS, 300_000);
    const ingestMs = performance.now() - ingestT0;

    await resetConsumerLog(worker.origin);
    const t0 = performance.now();
    await call(`${worker.origin}/v1/settings`, {
      method: 'PUT',
      key: site.readKey,
      body: { attributionWindows: { default: 1_209_600, kinds: { popup: 30 }, channels: {}, campaigns: {} } },
    });
    const settledAt = await until(
      async () => {
        const w = await widgetOrders(site.readKey, 'sweep-popup');
        return w.orders === kept && Math.abs(w.value - keptValue) < 0.005;
      },
      900_000,
      250,
    );
    const settleMs = settledAt - t0;
    const { invocations } = await consumerIdle(worker.origin, { invocations: 1 });
    scenarios.push({
      name: 'settings change: the sweep of 10,000 orders',
      events: 0,
      summary: summarize(invocations),
      ms: settleMs,
    });
    // A sample of orders, each as its detail shows it: credited exactly when its gap fits the window.
    let wrong = 0;
    for (let i = 0; i < ORDERS; i += Math.floor(ORDERS / 40)) {
      const detail = await call<{ credited: unknown }>(`${worker.origin}/v1/orders/sweep-${i}`, { key: site.readKey });
      if ((detail.credited !== null) !== (i % 2 === 0)) wrong++;
    }
    const totals = await call<{ totals: { websiteTransactions: number }[] }>(`${worker.origin}/v1/stats/chat`, {
      key: site.readKey,
    });
    sweep = {
      orders: ORDERS,
      kept,
      ingestMs,
      settleMs,
      sampleChecked: 40,
      sampleWrong: wrong,
      websiteTransactions: totals.totals.reduce((n, t) => n + t.websiteTransactions, 0),
      sweepSteps: invocations.reduce((n, i) => n + (i.kinds.sweep ?? 0), 0),
      invocations: invocations.length,
    };
    process.stdout.write(`sweep of ${fmt(ORDERS)} orders settled in ${fmt(settleMs / 1000, 1)} s\n`);
  }

  // --- worst cases of issue 19 ----------------------------------------------------------------------
  {
    const site = await api.createSite([SHOP]);
    const v = pad('heavy-visitor');
    const first = Date.now() - 10 * HOUR;
    const orders: WireEvent[] = Array.from({ length: HEAVY_VISITOR_ORDERS }, (_, i) => ({
      id: pad(`heavy-o${i}`),
      t: 'checkout',
      v,
      s: v,
      ts: first + i * 1_000,
      p: '/',
      o: `heavy-${i}`,
      val: 10,
      cur: 'EUR',
    }));
    await run(`one visitor's ${fmt(HEAVY_VISITOR_ORDERS)} checkouts`, site.writeKey, orders);
    await run(`then one click before all ${fmt(HEAVY_VISITOR_ORDERS)} orders`, site.writeKey, [
      { id: pad('heavy-click'), t: 'click', v, s: v, ts: first - MINUTE, p: '/', k: 'popup', w: 'heavy-popup' },
    ]);
    await until(async () => (await widgetOrders(site.readKey, 'heavy-popup')).orders === HEAVY_VISITOR_ORDERS, 300_000);

    const now = Date.now();
    const distinct: WireEvent[] = Array.from({ length: 100 }, (_, i) => {
      const who = pad(`distinct-v${i}`);
      return {
        id: pad(`distinct-o${i}`),
        t: 'checkout',
        v: who,
        s: who,
        ts: now - MINUTE,
        p: '/',
        o: `distinct-${i}`,
        val: 20,
        cur: 'EUR',
      };
    });
    await resetConsumerLog(worker.origin);
    let t0 = Date.now();
    await call(`${worker.origin}/v1/events`, { body: { k: site.writeKey, e: distinct }, text: true, expect: 202 });
    let summary = summarize((await consumerIdle(worker.origin, { events: 100 })).invocations);
    scenarios.push({
      name: '100 checkouts from 100 visitors in one batch',
      events: 100,
      summary,
      ms: summary.lastEndedAt - t0,
    });
    const moved = distinct.map((e, i) => {
      const who = pad(`moved-v${i}`);
      return { ...e, id: pad(`moved-o${i}`), v: who, s: who };
    });
    await resetConsumerLog(worker.origin);
    t0 = Date.now();
    await call(`${worker.origin}/v1/events`, { body: { k: site.writeKey, e: moved }, text: true, expect: 202 });
    summary = summarize((await consumerIdle(worker.origin, { events: 100 })).invocations);
    scenarios.push({
      name: 'the same 100 orders checked out again from 100 new visitors',
      events: 100,
      summary,
      ms: summary.lastEndedAt - t0,
    });

    // 100 sites, one full batch each, sent at once: one consumer batch holds many sites.
    const sites = await Promise.all(Array.from({ length: QUICK ? 20 : 100 }, () => api.createSite([SHOP])));
    await resetConsumerLog(worker.origin);
    t0 = Date.now();
    const many = sites.map((_site, n) =>
      Array.from({ length: 100 }, (_, i): WireEvent => {
        const who = pad(`many-v${n}-${i % 10}`);
        return {
          id: pad(`many-e${n}-${i}`),
          t: i % 5 ? 'instance' : 'click',
          v: who,
          s: who,
          ts: now - MINUTE + i,
          p: '/',
          k: 'popup',
          w: `w${i % 7}`,
          c: 'c1',
        };
      }),
    );
    await Promise.all(
      many.map((e, n) =>
        call(`${worker.origin}/v1/events`, { body: { k: sites[n]!.writeKey, e }, text: true, expect: 202 }),
      ),
    );
    summary = summarize((await consumerIdle(worker.origin, { events: sites.length * 100 })).invocations);
    scenarios.push({
      name: `${sites.length} sites' batches of 100 events sent at once`,
      events: sites.length * 100,
      summary,
      ms: summary.lastEndedAt - t0,
    });
  }
} finally {
  await worker.dispose();
}

// The same settings change in the vitest plugin (workerd, no batch window): bench/workerd/.
const vitest = spawnSync(
  join(import.meta.dirname, '../node_modules/.bin/vitest'),
  ['run', '-c', 'bench/workerd/vitest.config.ts'],
  { cwd: join(import.meta.dirname, '..'), env: { ...process.env, BENCH_ORDERS: String(ORDERS) }, encoding: 'utf8' },
);
const line = /\[bench-settle\] (\{.*\})/.exec(vitest.stdout)?.[1];
if (!line)
  throw new Error(`the workerd settle bench failed:\n${vitest.stdout.slice(-3000)}${vitest.stderr.slice(-2000)}`);
const workerd = JSON.parse(line) as { orders: number; kept: number; ingestMs: number; settleMs: number };
process.stdout.write(
  `workerd (vitest plugin): the sweep of ${fmt(workerd.orders)} orders settled in ${fmt(workerd.settleMs / 1000, 1)} s\n`,
);

const worst = (key: 'maxCalls' | 'maxBatch') => Math.max(...scenarios.map((s) => s.summary[key]));
console.log('\nBackground work, consumer invocations metered (budget: 50 D1 calls, 1,000 statements per batch)');
console.log(
  table(
    ['case', 'invocations', 'worst D1 calls', 'largest batch', 'rows written', 'ms'],
    scenarios.map((s) => [
      s.name,
      fmt(s.summary.invocations),
      fmt(s.summary.maxCalls),
      fmt(s.summary.maxBatch),
      fmt(s.summary.rowsWritten),
      fmt(Math.round(s.ms)),
    ]),
  ),
);
console.log(`\nworst D1 calls per invocation ${worst('maxCalls')}, largest batch ${worst('maxBatch')} statements`);
console.log(`settings sweep: ${JSON.stringify(sweep)}`);

writeResult('jobs', {
  machine: machine(),
  quick: QUICK,
  sweep,
  workerd,
  scenarios,
  worstCalls: worst('maxCalls'),
  worstBatch: worst('maxBatch'),
  totalMs: Date.now() - started,
});
