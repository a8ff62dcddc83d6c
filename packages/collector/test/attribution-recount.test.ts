/**
 * The recount property: whatever a shop's traffic, every stats answer and every order's credit
 * equal a recount from the raw stream by the documented rules, whatever order it arrives in.
 *
 * A seeded generator (test/recount/stream.ts) writes a few shops' stories — every widget event,
 * tagged links issued through `POST /v1/links` and opened (re-opened, forwarded, 450 days old,
 * forged, foreign, unknown), SDK checkouts and the store's reports (repeated, refunded and placed
 * again, value changes, conflicting and forged checkouts, orders only the store knows), identify
 * (several devices, a shared one), holdout eligibility of both cohorts, dropped events, batches
 * from skewed clocks with and without `st` (and one off by over 400 days), too-old sessions,
 * retried and partly retried batches, settings and time zone changes mid-stream. The driver
 * (test/recount/driver.ts) sends it through the real HTTP API and work queue, in bursts the
 * consumer works while more arrive, under a controlled clock; each shop is fed twice, in time
 * order and shuffled (each order's log keeps its relative order: the latest report stands by
 * design). The model (test/recount/model.ts) recounts everything from the rules in
 * docs/attribution.md, docs/lift.md and the contract, independently of the collector's code.
 *
 * Seeds are fixed; `RECOUNT_RUNS=50 pnpm exec vitest run test/attribution-recount.test.ts` adds
 * that many more (seeds 1..50), e.g. before a release or after touching attribution.
 */
import { env } from 'cloudflare:workers';
import type { OrderDetail, StatsAnswers, StatsEnvelope } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { addDays, localDate, localMidnight } from '../src/time/zones.js';
import { clock, DrivenSite, deadLetters, settle } from './recount/driver.js';
import { Model, type ModelRange, modelRange } from './recount/model.js';
import { arrivalOrder, DAY, type Delivery, generateSite, type Rng, rng, type StreamSize } from './recount/stream.js';

const SEEDS = [20261101, 20261102, 20261103];
const EXTRA_RUNS = Number((env as unknown as { RECOUNT_RUNS?: string }).RECOUNT_RUNS || 0);
const SIZE: StreamSize = { sites: 2, visitors: 5, customers: 3, links: 4, serverOnlyOrders: 3 };

/** Collects differences instead of stopping at the first: a failing seed reports all it found. */
class Checks {
  readonly failures: string[] = [];
  count = 0;

  equal(label: string, actual: unknown, expected: unknown): void {
    this.count++;
    try {
      expect(actual).toEqual(expected);
    } catch {
      this.failures.push(`${label}:\n  got      ${JSON.stringify(actual)}\n  expected ${JSON.stringify(expected)}`);
    }
  }

  /** Rows whose order the contract leaves open: compared as sets (the difference is reported). */
  sameRows(label: string, actual: unknown[], expected: unknown[]): void {
    const json = (rows: unknown[]) => rows.map((r) => JSON.stringify(r));
    const [a, e] = [json(actual), json(expected)];
    this.count++;
    const extra = a.filter((x) => !e.includes(x));
    const missing = e.filter((x) => !a.includes(x));
    if (extra.length + missing.length > 0 || a.length !== e.length) {
      this.failures.push(
        `${label}:\n  got      ${extra.join('\n           ')}\n  expected ${missing.join('\n           ')}`,
      );
    }
  }
}

interface Query {
  label: string;
  from: string;
  to: string;
}

/** Three ranges in the site's final zone: everything, a few days as dates, the same as local-midnight instants. */
function ranges(r: Rng, tz: string, now: number): Query[] {
  const today = localDate(now, tz);
  const start = addDays(today, -(2 + r.int(18)));
  const end = addDays(start, r.int(4));
  return [
    { label: 'all', from: addDays(today, -31), to: today },
    { label: 'days', from: start, to: end },
    {
      label: 'instants',
      from: new Date(localMidnight(addDays(start, 1), tz)).toISOString(),
      to: new Date(localMidnight(addDays(end, 2), tz)).toISOString(),
    },
  ];
}

/** Runs `tasks` at most `width` at a time. */
async function pool(tasks: (() => Promise<void>)[], width = 6): Promise<void> {
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let task = queue.shift(); task; task = queue.shift()) await task();
    }),
  );
}

/** Reads every stats answer and order of a site and compares it with the model; answers what it read. */
async function compareSite(
  site: DrivenSite,
  model: Model,
  queries: Query[],
  now: number,
  checks: Checks,
  label: string,
): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  const tz = model.settings.timezone;
  const reads: (() => Promise<void>)[] = [];
  for (const query of queries) {
    const range: ModelRange = modelRange(query, tz, now);
    const q = `from=${encodeURIComponent(query.from)}&to=${encodeURIComponent(query.to)}`;
    const at = `${label}, ${query.label} (${query.from}..${query.to} ${tz})`;
    const read = <T extends StatsEnvelope<unknown>>(path: string, compare: (body: T) => void) =>
      reads.push(async () => {
        const body = await site.get<T>(`${path}${path.includes('?') ? '&' : '?'}${q}`);
        answers[`${query.label} ${path}`] = body;
        checks.equal(
          `${at}: ${path} echoes its range`,
          [body.from, body.to, body.timezone],
          [new Date(range.from).toISOString(), new Date(range.to).toISOString(), tz],
        );
        compare(body);
      });
    const chat = (groupBy: 'channel' | 'agent' | 'conversation', verified: boolean) =>
      read<StatsAnswers['chat']>(`/v1/stats/chat?groupBy=${groupBy}${verified ? '&verified=true' : ''}`, (body) => {
        const expected = model.chat(range, groupBy, verified);
        checks.equal(
          `${at}: chat by ${groupBy}${verified ? ', verified' : ''}`,
          {
            rows: body.rows,
            totals: body.totals,
            invalidLandings: body.invalidLandings,
            expiredLandings: body.expiredLandings,
          },
          expected,
        );
      });
    const widgets = (verified: boolean) =>
      read<StatsAnswers['widgets']>(`/v1/stats/widgets${verified ? '?verified=true' : ''}`, (body) =>
        checks.sameRows(`${at}: widgets${verified ? ', verified' : ''}`, body.rows, model.widgets(range, verified)),
      );
    const daily = (verified: boolean, filter: { widget: string } | { campaign: string } | null) => {
      const params = [
        ...(filter ? Object.entries(filter).map(([k, v]) => `${k}=${v}`) : []),
        ...(verified ? ['verified=true'] : []),
      ];
      read<StatsAnswers['daily']>(`/v1/stats/daily${params.length ? `?${params.join('&')}` : ''}`, (body) =>
        checks.equal(`${at}: daily ${params.join('&')}`, body.rows, model.daily(range, verified, filter)),
      );
    };
    const lift = (groupBy: 'site' | 'campaign' | 'widget') =>
      read<StatsAnswers['lift']>(`/v1/stats/lift?groupBy=${groupBy}`, (body) =>
        checks.sameRows(`${at}: lift by ${groupBy}`, body.rows, model.lift(range, groupBy)),
      );
    // Local-midnight instants parse to days like dates do: a few answers show it.
    if (query.label === 'instants') {
      widgets(false);
      daily(false, null);
      chat('channel', false);
      lift('site');
      continue;
    }
    for (const verified of query.label === 'all' ? [false, true] : [false]) {
      widgets(verified);
      daily(verified, null);
      chat('channel', verified);
      read<StatsAnswers['top-actions']>(`/v1/stats/top-actions${verified ? '?verified=true' : ''}`, (body) =>
        checks.equal(`${at}: top-actions${verified ? ', verified' : ''}`, body.rows, model.topActions(range, verified)),
      );
    }
    for (const type of ['campaign', 'sequence'] as const) {
      read<StatsAnswers[`${typeof type}s`]>(`/v1/stats/${type}s`, (body) =>
        checks.sameRows(`${at}: ${type}s`, body.rows, model.groups(type, range, false)),
      );
    }
    daily(false, { widget: 'spring-sale' });
    daily(false, { campaign: 'spring' });
    chat('agent', false);
    chat('conversation', false);
    for (const groupBy of ['site', 'campaign', 'widget'] as const) lift(groupBy);
  }
  for (const orderId of [...model.orders.keys()].sort()) {
    reads.push(async () => {
      const detail = await site.get<OrderDetail>(`/v1/orders/${encodeURIComponent(orderId)}`);
      answers[`order ${orderId}`] = detail;
      const { candidates, sources: _, ...shown } = detail;
      checks.equal(`${label}: order ${orderId}`, shown, model.detail(orderId));
      // Every interaction inside the longest window is listed, best first, each with why it lost.
      const { required, all } = model.candidates(orderId);
      const expected = all
        .slice(0, Math.max(required, candidates.length))
        .map((c) => ({ ...c, lost: expect.stringMatching(c.lost) }));
      checks.equal(`${label}: order ${orderId} candidates`, candidates, expected);
    });
  }
  await pool(reads);
  return answers;
}

/** Features the default seeds exercised, summed over their models. */
const covered = new Map<string, number>();

/** Every feature the stream is meant to exercise: a generator change that drops one fails the last test. */
const FEATURES = [
  'event instance',
  'event click',
  'event hover',
  'event dismiss',
  'event eligible',
  'event landing',
  'event checkout',
  'event identify',
  'event drop',
  'rejected too_old',
  'rejected invalid_clock',
  'rejected held_out',
  'rejected invalid_event',
  'batch st sent skewed',
  'batch st none skewed',
  'event clamped to the receive time',
  'settings change attributionWindows',
  'settings change creditPolicy',
  'settings change timezone',
  'landing valid',
  'landing expired',
  'landing forged',
  'landing unknown',
  'landing forwarded',
  'link re-opened',
  'order placed verified',
  'order placed',
  'order refunded verified',
  'order cancelled verified',
  'order placed again after a refund',
  'order value changed',
  'order checkouts disagree',
  'order checkout after the store',
  'order with no one to credit',
  'order naming a customer',
  'customer with several devices',
  'device shared by customers',
  'credit popup_click',
  'credit block_click',
  'credit notification_click',
  'credit link_landing',
  'credit from another device',
  'credit to a forwarded link',
  'loss outside',
  'loss spent',
  'loss earlier',
  'loss tie_priority',
  'loss tie_event_id',
  'interaction exactly one window before its order',
  'interaction one millisecond outside its window',
  'interaction at the order time',
  'policy every',
  'policy first',
  'exposure cohort 0',
  'exposure cohort 1',
];

async function recount(seed: number): Promise<Checks> {
  const r = rng(seed);
  // Around the end of DST in Europe (25 October) and America (1 November): 23- and 25-hour days in range.
  const now = Date.UTC(2026, 10, 3) + Math.floor(r.int(DAY) / 1000) * 1000;
  const streams = Array.from({ length: SIZE.sites }, (_, i) => generateSite(r, now, SIZE, `${seed % 1000}.${i}`));
  const orders = [true, false].map((sorted) => streams.map((s) => arrivalOrder(r, s, sorted)));
  const models = orders.map((set) => set.map((arrivals, i) => new Model(streams[i]!, arrivals, now)));
  for (const model of models[0]!) {
    for (const [feature, n] of model.coverage) covered.set(feature, (covered.get(feature) ?? 0) + n);
  }
  const sites: DrivenSite[][] = [];
  for (const _ of orders) {
    const created: DrivenSite[] = [];
    // Every other site in the second database: nothing of one may leak into the other.
    for (const [i, stream] of streams.entries()) created.push(await DrivenSite.create(stream, i % 2 ? 'DB_2' : 'DB'));
    created.forEach((s, i) => {
      s.neighbour = created[(i + 1) % created.length]!;
    });
    sites.push(created);
  }
  const checks = new Checks();
  try {
    // Links are issued first, each at its own time (the 450-day-old ones first): the clock only moves forward.
    const issues = sites
      .flat()
      .flatMap((site) => [
        ...site.stream.oldLinks.map((spec, n) => ({ site, spec, into: site.oldTokens, n })),
        ...site.stream.links.map((spec, n) => ({ site, spec, into: site.tokens, n })),
      ])
      .sort((a, b) => a.spec.issuedAt - b.spec.issuedAt);
    for (const { site, spec, into, n } of issues) {
      clock.set(spec.issuedAt);
      into[n] = await site.issue(spec);
    }
    for (const site of sites.flat()) await site.signUnknown(now - 40 * DAY);

    // Everything else is received at `now`: all sites interleaved, sent in concurrent bursts the
    // queue works while they arrive. A burst holds one delivery per order (an order's log keeps its
    // order: the latest report stands) and one settings change per site.
    clock.set(now);
    const lists = orders.flatMap((set, k) => set.map((arrivals, i) => ({ k, i, items: [...arrivals] })));
    const sequence: { k: number; i: number; d: Delivery }[] = [];
    for (let open = lists; open.length > 0; open = open.filter((l) => l.items.length > 0)) {
      const list = r.pick(open);
      sequence.push({ k: list.k, i: list.i, d: list.items.shift()! });
    }
    while (sequence.length > 0) {
      // Fill the burst in sequence order, leaving for later what shares a key with something in it.
      const burst: typeof sequence = [];
      const keys = new Set<string>();
      const limit = 8 + r.int(40);
      for (let n = 0; n < sequence.length && burst.length < limit; ) {
        const { k, i, d } = sequence[n]!;
        const key = d.kind === 'settings' ? `${k}|${i}|settings` : d.chain === null ? null : `${k}|${i}|${d.chain}`;
        if (key !== null && keys.has(key)) {
          n++;
          continue;
        }
        if (key !== null) keys.add(key);
        burst.push(...sequence.splice(n, 1));
      }
      await Promise.all(
        burst.map(async ({ k, i, d }) => {
          const rejected = await sites[k]![i]!.deliver(d, now);
          if (d.kind === 'batch') {
            checks.equal(`seed ${seed}: rejections of a batch`, rejected, models[k]![i]!.rejections.get(d));
          }
        }),
      );
      await settle();
    }
    checks.equal(`seed ${seed}: dead letters`, await deadLetters(), 0);

    for (const [i, stream] of streams.entries()) {
      const model = models[0]![i]!;
      const queries = ranges(r, model.settings.timezone, now);
      const answers: Record<string, unknown>[] = [];
      for (const [k, label] of ['in time order', 'shuffled'].entries()) {
        answers.push(
          await compareSite(sites[k]![i]!, models[k]![i]!, queries, now, checks, `seed ${seed} site ${i} ${label}`),
        );
      }
      checks.equal(`seed ${seed} site ${i}: both arrival orders answer alike`, answers[1], answers[0]);
      expect(stream.deliveries.length).toBeGreaterThan(0);
    }
  } finally {
    clock.restore();
  }
  return checks;
}

describe('attribution recount', () => {
  const seeds = [...SEEDS, ...Array.from({ length: EXTRA_RUNS }, (_, n) => n + 1)];
  for (const seed of seeds) {
    it(`seed ${seed}: every stats answer and order credit equal a recount, in either arrival order`, async () => {
      const started = performance.now();
      const checks = await recount(seed);
      console.log(`recount seed ${seed}: ${checks.count} checks in ${Math.round(performance.now() - started)} ms`);
      expect(
        checks.failures.length,
        `${checks.failures.length} of ${checks.count} checks failed:\n${checks.failures.slice(0, 8).join('\n')}`,
      ).toBe(0);
    }, 120_000);
  }

  it('exercised every feature of the stream across the seeds', () => {
    expect(FEATURES.filter((f) => !covered.has(f))).toEqual([]);
  });
});
