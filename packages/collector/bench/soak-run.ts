/**
 * `pnpm soak`: a bounded load run against the real collector under `wrangler dev` (loopback
 * only, fresh local D1). Many simulated visitors send their events in small batches, the way
 * the SDK does, with what real storefronts produce: the same batch sent twice (beacon plus
 * fetch), requests abandoned mid-flight and sent again, the same events re-batched with others,
 * and batches arriving out of order. Every batch is resent until acknowledged.
 *
 * Prints: events sent, acknowledged, stored, duplicates stored, lost, and stats against a
 * recount of what was sent. Exits non-zero if any of them is off.
 *
 * Env: SOAK_VISITORS (default 400), SOAK_CONCURRENCY (8), SOAK_SECONDS (time bound, 240), SOAK_SEED.
 */
import type { ChatStatsResponse, StatsEnvelope, WidgetStatsRow } from '@lasttouch/shared';
import { seededRandom as rng } from '@lasttouch/shared/testing';
import { CollectorApi } from '../e2e/harness/api.ts';
import { startWorker } from '../e2e/harness/wrangler-dev.ts';

const VISITORS = Number(process.env.SOAK_VISITORS ?? 400);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 240);
const SEED = Number(process.env.SOAK_SEED ?? 20_261_127);
const MAX_ATTEMPTS = 30;
const WIDGETS = [
  { k: 'popup', w: 'spring-sale', c: 'spring' },
  { k: 'notification', w: 'ship-free', c: 'spring' },
  { k: 'block', w: 'hero', c: 'fall' },
] as const;

const random = rng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

interface Event {
  id: string;
  t: string;
  v: string;
  s: string;
  ts: number;
  p: string;
  [field: string]: unknown;
}

interface Expected {
  instances: number;
  clickSessions: Set<string>;
  hoverSessions: Set<string>;
  dismisses: number;
  orders: number;
  valueMinor: number;
}

const expected = new Map<string, Expected>(
  WIDGETS.map((w) => [
    w.w,
    { instances: 0, clickSessions: new Set(), hoverSessions: new Set(), dismisses: 0, orders: 0, valueMinor: 0 },
  ]),
);
let ordersSent = 0;
let valueSent = 0;

/** One visitor's events: shown a widget, interacts with it, maybe orders (credited to it). */
function visitor(n: number, now: number): Event[] {
  const widget = pick(WIDGETS);
  const v = `soak-v-${SEED}-${n}`;
  const s = `soak-s-${SEED}-${n}`;
  const t0 = now - 7_200_000 + Math.floor(random() * 7_000_000);
  const row = expected.get(widget.w)!;
  let seq = 0;
  const event = (t: string, ts: number, extra: Record<string, unknown> = {}): Event => ({
    id: `soak-e-${SEED}-${n}-${seq++}`,
    t,
    v,
    s,
    ts,
    p: '/p',
    ...extra,
  });
  const w = { k: widget.k, w: widget.w, c: widget.c };
  const events = [event('instance', t0, w)];
  row.instances++;
  if (widget.k === 'notification' && random() < 0.5) {
    events.push(event('hover', t0 + 500, w));
    row.hoverSessions.add(s);
  }
  if (random() < (widget.k === 'notification' ? 0.5 : 0.7)) {
    events.push(event('click', t0 + 1_000, w));
    row.clickSessions.add(s);
  }
  if (widget.k === 'popup' && random() < 0.2) {
    events.push(event('dismiss', t0 + 1_500, w));
    row.dismisses++;
  }
  const interacted = row.clickSessions.has(s) || row.hoverSessions.has(s);
  if (random() < 0.5) {
    const val = Math.floor(random() * 20_000) / 100;
    events.push(event('checkout', t0 + 60_000, { o: `soak-o-${SEED}-${n}`, val, cur: 'EUR' }));
    ordersSent++;
    valueSent += Math.round(val * 100);
    if (interacted) {
      row.orders++;
      row.valueMinor += Math.round(val * 100);
    }
  }
  return events;
}

/** Batches as clients form them: 1–4 events, a failed batch sometimes re-batched with the next. */
function batchesOf(events: Event[]): Event[][] {
  const batches: Event[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + Math.floor(random() * 4);
    batches.push(events.slice(i, i + size));
    i += size;
  }
  if (batches.length > 1 && random() < 0.2) batches.push([...batches[0]!, ...batches[1]!]);
  return batches;
}

const counters = { requests: 0, acknowledged: 0, aborted: 0, duplicateSends: 0, statuses: new Map<number, number>() };
const acknowledgedIds = new Set<string>();

async function sendUntilAcknowledged(origin: string, key: string, batch: Event[], deadline: number): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && Date.now() < deadline; attempt++) {
    counters.requests++;
    // Some requests are abandoned mid-flight (tab closed, network switch): the collector may or
    // may not have stored the batch, so the client sends it again.
    const abandon = random() < 0.1;
    const controller = new AbortController();
    if (abandon) setTimeout(() => controller.abort(), Math.floor(random() * 15));
    try {
      const res = await fetch(`${origin}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ k: key, st: Date.now(), e: batch }),
        signal: controller.signal,
      });
      counters.statuses.set(res.status, (counters.statuses.get(res.status) ?? 0) + 1);
      if (res.status === 202) {
        const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
        if (body.rejected.length) throw new Error(`rejected: ${JSON.stringify(body.rejected)}`);
        counters.acknowledged++;
        for (const e of batch) acknowledgedIds.add(e.id);
        return;
      }
      await res.arrayBuffer();
      if (res.status < 500 && res.status !== 429) throw new Error(`${res.status} for a valid batch`);
      const retryAfter = Number(res.headers.get('Retry-After') ?? 0);
      await new Promise((r) => setTimeout(r, Math.min(retryAfter * 1000, 2_000) || 50 * attempt));
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
      counters.aborted++;
    }
  }
  throw new Error(`batch not acknowledged after ${MAX_ATTEMPTS} attempts`);
}

async function main() {
  const started = Date.now();
  const collector = await startWorker();
  let failed = false;
  try {
    const deadline = Date.now() + SECONDS * 1000;
    const api = new CollectorApi(collector.origin);
    // No allowed origins: the simulated visitors send no Origin, as servers and apps do.
    const site = await api.createSite([]);

    const now = Date.now();
    const sentIds = new Set<string>();
    const queue: Event[][] = [];
    for (let n = 0; n < VISITORS; n++) {
      const events = visitor(n, now);
      for (const e of events) sentIds.add(e.id);
      for (const batch of batchesOf(events)) {
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
    const sendStart = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) {
          await sendUntilAcknowledged(collector.origin, site.writeKey, batch, deadline);
        }
      }),
    );
    const sendSeconds = (Date.now() - sendStart) / 1000;

    const from = new Date(now - 2 * 86_400_000).toISOString();
    const widgets = await api.get<StatsEnvelope<WidgetStatsRow>>(`/v1/stats/widgets?from=${from}`, site.readKey);
    const chat = await api.get<ChatStatsResponse>(`/v1/stats/chat?from=${from}`, site.readKey);
    await collector.stop();
    const count = async (sql: string) => (await collector.query<{ n: number; d: number }>(sql))[0]!;
    const stored = await count(
      `select count(*) as n, count(distinct event_id) as d from events where site_id = '${site.siteId}'`,
    );
    const markers = await count(`select count(*) as n, 0 as d from attribution_queue where site_id = '${site.siteId}'`);
    const storedIds = new Set(
      (await collector.query<{ event_id: string }>(`select event_id from events where site_id = '${site.siteId}'`)).map(
        (r) => r.event_id,
      ),
    );
    const lost = [...acknowledgedIds].filter((id) => !storedIds.has(id)).length;

    const mismatches: string[] = [];
    for (const [id, want] of expected) {
      const got = widgets.rows.find((r) => r.id === id);
      const recount = {
        instances: want.instances,
        clicks: want.clickSessions.size,
        hovers: want.hoverSessions.size,
        dismisses: want.dismisses,
        orders: want.orders,
        value: want.valueMinor,
      };
      const seen = got && {
        instances: got.instances,
        clicks: got.clicks,
        hovers: got.hovers,
        dismisses: got.dismisses,
        orders: got.orders,
        value: Math.round(got.value * 100),
      };
      if (JSON.stringify(seen) !== JSON.stringify(recount))
        mismatches.push(`${id}: stats ${JSON.stringify(seen)} recount ${JSON.stringify(recount)}`);
    }
    const totals = chat.totals[0];
    const totalsOk =
      totals?.websiteTransactions === ordersSent && Math.round((totals?.websiteTurnover ?? 0) * 100) === valueSent;
    if (!totalsOk)
      mismatches.push(`totals: stats ${JSON.stringify(totals)} recount ${ordersSent} orders, ${valueSent / 100} EUR`);

    console.log(
      [
        `soak: ${VISITORS} visitors, ${batches} batches (${counters.duplicateSends} sent twice on purpose), concurrency ${CONCURRENCY}, seed ${SEED}`,
        `  requests ${counters.requests} in ${sendSeconds.toFixed(1)} s (${(counters.requests / sendSeconds).toFixed(0)}/s), abandoned mid-flight ${counters.aborted}, answers ${JSON.stringify(Object.fromEntries(counters.statuses))}`,
        `  events sent ${sentIds.size}, acknowledged ${acknowledgedIds.size}, stored ${stored.n}, duplicates stored ${stored.n - stored.d}, lost ${lost}`,
        `  attribution markers left ${markers.n}; stats vs recount: ${mismatches.length ? `${mismatches.length} mismatches\n    ${mismatches.join('\n    ')}` : 'equal'}`,
        `  total ${(Date.now() - started) / 1000} s`,
      ].join('\n'),
    );
    failed =
      acknowledgedIds.size !== sentIds.size ||
      stored.n !== sentIds.size ||
      stored.d !== stored.n ||
      lost > 0 ||
      mismatches.length > 0;
  } finally {
    await collector.dispose();
  }
  if (failed) process.exit(1);
}

await main();
