import { env } from 'cloudflare:workers';
import type { Settings } from '@lasttouch/shared';
import { seededRandom } from '@lasttouch/shared/testing';
import { describe, expect, it } from 'vitest';
import { contributionOf } from '../src/attribution/contribution.js';
import { qualifyingAction } from '../src/attribution/interactions.js';
import { attributeVisitor, type Interaction } from '../src/attribution/rules.js';
import type { StoredEvent } from '../src/ingest/types.js';
import { mergeOrder, type OrderSource } from '../src/orders/merge.js';
import { dayOf } from '../src/time/days.js';
import { createShop, DAY, daysAgo, HOUR } from './attribution-helpers.js';
import { checkoutEvent, uid, widgetEvent } from './helpers.js';

/** A seeded generator, so a failure replays exactly. */
function rng(seed: number) {
  const next = seededRandom(seed);
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

type Rng = ReturnType<typeof rng>;

const WIDGETS = [
  { k: 'popup', w: 'spring-sale', c: 'spring', q: 'welcome' },
  { k: 'popup', w: 'exit', c: undefined, q: undefined },
  { k: 'notification', w: 'ship-free', c: 'spring', q: undefined },
  { k: 'block', w: 'hero', c: 'fall', q: 'welcome' },
] as const;

/** A random stream for a few visitors across three days, with SDK checkouts and server reports. */
function stream(r: Rng, start: number) {
  const events: unknown[] = [];
  const serverReports: { orderId: string; value: number; currency: string; visitorId?: string; status?: 'refunded' }[] =
    [];
  for (let v = 0; v < 4; v++) {
    const visitorId = uid('visitor');
    const sessions = [uid('session'), uid('session')];
    for (let n = 0; n < 12; n++) {
      const ts = start + r.int(3 * DAY);
      const s = r.pick(sessions);
      if (r.next() < 0.2) {
        const orderId = uid('order');
        const cur = r.pick(['EUR', 'EUR', 'USD']);
        events.push(checkoutEvent({ v: visitorId, s, ts, o: orderId, val: 1 + r.int(100), cur }));
        const roll = r.next();
        if (roll < 0.3) serverReports.push({ orderId, value: 1 + r.int(100), currency: cur, visitorId });
        else if (roll < 0.4) serverReports.push({ orderId, value: 1, currency: cur, status: 'refunded' });
      } else {
        const w = r.pick(WIDGETS);
        const t = r.pick(['instance', 'instance', 'click', 'hover', 'dismiss'] as const);
        events.push(
          widgetEvent({
            v: visitorId,
            s,
            ts,
            t,
            k: w.k,
            w: w.w,
            ...(w.c ? { c: w.c } : {}),
            ...(w.q ? { q: w.q } : {}),
          }),
        );
      }
    }
  }
  // A server-only order without visitor.
  serverReports.push({ orderId: uid('order'), value: 3, currency: 'EUR' });
  return { events, serverReports };
}

const shuffle = <T>(r: Rng, items: T[]): T[] => {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

type Row = Record<string, string | number>;
const key = (row: Row, dims: string[]) => dims.map((d) => row[d]).join('|');

/** Adds `values` into the row of `dims` in `into`. */
function add(into: Map<string, Row>, dims: Row, values: Record<string, number>) {
  const k = Object.values(dims).join('|');
  const row = into.get(k) ?? { ...dims, ...Object.fromEntries(Object.keys(values).map((n) => [n, 0])) };
  for (const [n, v] of Object.entries(values)) row[n] = ((row[n] as number | undefined) ?? 0) + v;
  into.set(k, row);
}

/** A table's rows keyed by `dims`, dropping rows whose counters are all zero. */
async function table(name: string, siteId: string, dims: string[], counters: string[]): Promise<Map<string, Row>> {
  const { results } = await env.DB.prepare(`select ${[...dims, ...counters].join(', ')} from ${name} where site_id = ?`)
    .bind(siteId)
    .all<Row>();
  return new Map(results.filter((r) => counters.some((c) => r[c] !== 0)).map((r) => [key(r, dims), r]));
}

/** Recounts every aggregate from the raw event log and order sources. */
async function recount(siteId: string, settings: Settings) {
  const { results: events } = await env.DB.prepare(
    `select event_id as eventId, type, visitor_id as visitorId, session_id as sessionId, ts, kind, widget_id as widgetId,
       campaign, sequence from events where site_id = ?`,
  )
    .bind(siteId)
    .all<StoredEvent>();
  const widgets = new Map<string, Row>();
  const groups = new Map<string, Row>();
  /** Every showing of a campaign or sequence widget: profiles are counted from these per range. */
  const shown: { groupType: 'campaign' | 'sequence'; group: string; day: number; visitorId: string }[] = [];
  const firstDay = new Map<string, { day: number; dims: Row; counter: string; target: Map<string, Row> }>();
  const distinct = (id: string, day: number, dims: Row, counter: string, target: Map<string, Row>) => {
    const seen = firstDay.get(id);
    if (!seen || day < seen.day) firstDay.set(id, { day, dims, counter, target });
  };
  for (const e of events.filter((e) => e.type !== 'checkout')) {
    const day = dayOf(e.ts);
    const w = {
      kind: e.kind ?? '',
      widget_id: e.widgetId ?? '',
      campaign: e.campaign ?? '',
      sequence: e.sequence ?? '',
    };
    const wid = JSON.stringify(Object.values(w));
    if (e.type === 'instance') {
      add(widgets, { day, ...w }, { instances: 1 });
      for (const groupType of ['campaign', 'sequence'] as const) {
        const g = e[groupType];
        if (!g) continue;
        const dims = { group_type: groupType, group_id: g };
        distinct(`${groupType}s:${g}:${e.sessionId}`, day, dims, 'started', groups);
        shown.push({ groupType, group: g, day, visitorId: e.visitorId });
      }
    }
    if (e.type === 'dismiss') add(widgets, { day, ...w }, { dismisses: 1 });
    if (e.type === 'click') distinct(`c:${wid}:${e.sessionId}`, day, w, 'clicks', widgets);
    if (e.type === 'hover') distinct(`h:${wid}:${e.sessionId}`, day, w, 'hovers', widgets);
  }
  for (const { day, dims, counter, target } of firstDay.values()) add(target, { day, ...dims }, { [counter]: 1 });

  const { results: sources } = await env.DB.prepare(
    `select order_id as orderId, source, source_key as sourceKey, visitor_id as visitorId, ts, value_minor as valueMinor,
       currency, status, received_at as receivedAt, rowid as seq from order_sources where site_id = ?`,
  )
    .bind(siteId)
    .all<OrderSource & { orderId: string }>();
  const orders = new Map<string, ReturnType<typeof mergeOrder> & {}>();
  for (const id of new Set(sources.map((s) => s.orderId))) {
    orders.set(id, mergeOrder(sources.filter((s) => s.orderId === id))!);
  }
  const interactions: (Interaction & { visitorId: string })[] = events.flatMap((e) => {
    const action = qualifyingAction(e);
    if (!action) return [];
    return [
      {
        eventId: e.eventId,
        visitorId: e.visitorId,
        ts: e.ts,
        action,
        kind: (e.kind ?? null) as Interaction['kind'],
        widgetId: e.widgetId ?? null,
        campaign: e.campaign ?? null,
        sequence: e.sequence ?? null,
        channel: null,
        conversation: null,
        agent: null,
        forwarded: false,
      },
    ];
  });
  const daily = new Map<string, Row>();
  const credit = new Map<string, Row>();
  const touch = new Map<string, Row>();
  for (const [orderId, order] of orders) {
    const mine = interactions.filter((i) => order.visitorId !== null && i.visitorId === order.visitorId);
    const placed = [...orders]
      .filter(([, o]) => o.status === 'placed' && o.visitorId !== null && o.visitorId === order.visitorId)
      .map(([id, o]) => ({ orderId: id, ts: o.ts }));
    const attribution = attributeVisitor(placed, mine, settings).find((a) => a.orderId === orderId);
    const c = contributionOf(order, attribution, mine, settings);
    if (!c) continue;
    const verified = c.verified ? 1 : 0;
    add(daily, { day: c.day, currency: c.currency, verified }, { orders: 1, value_minor: c.valueMinor });
    for (const t of c.touches) {
      const [action, channel] = t.split('|');
      add(touch, { day: c.day, action: action!, channel: channel!, verified }, { orders: 1 });
    }
    if (c.credit) {
      const k = c.credit;
      add(
        credit,
        {
          day: c.day,
          action: k.action,
          kind: k.kind,
          widget_id: k.widgetId,
          campaign: k.campaign,
          sequence: k.sequence,
          currency: c.currency,
          verified,
        },
        { orders: 1, value_minor: c.valueMinor },
      );
    }
  }
  return { widgets, groups, daily, credit, touch, shown };
}

/** Rows as sorted JSON with every counter present (missing = 0) and all-zero rows dropped. */
const canonical = (m: Map<string, Row>, dims: readonly string[], counters: readonly string[]) =>
  [...m.values()]
    .map((r) => Object.fromEntries([...dims, ...counters].map((c) => [c, r[c] ?? 0])))
    .filter((r) => counters.some((c) => r[c] !== 0))
    .map((r) => JSON.stringify(r))
    .sort();

describe('aggregates', () => {
  it('equal a full recount after randomized streams with duplicates, late and shuffled arrival', async () => {
    for (let iteration = 0; iteration < 12; iteration++) {
      const r = rng(20261127 + iteration);
      const shop = await createShop();
      const randomSettings = (): Settings => ({
        allowedOrigins: [],
        attributionWindows: {
          default: r.pick([3600, 86_400, 14 * 86_400]),
          kinds: r.next() < 0.5 ? { popup: 7200 } : {},
          channels: {},
          campaigns: r.next() < 0.5 ? { spring: 2 * 86_400 } : {},
        },
        creditPolicy: r.pick(['every', 'first'] as const),
      });
      let settings = randomSettings();
      await shop.settings(settings);
      const { events, serverReports } = stream(r, daysAgo(6) + r.int(HOUR));
      // Shuffled, in random batch sizes, a quarter of them sent again later.
      const sends = shuffle(r, [...events, ...events.filter(() => r.next() < 0.25)]);
      const reports = shuffle(r, [...serverReports, ...serverReports.filter(() => r.next() < 0.3)]);
      // Every other stream changes windows and credit policy half way through.
      let changeAt = iteration % 2 ? Math.floor(sends.length / 2) : -1;
      while (sends.length || reports.length) {
        if (sends.length <= changeAt) {
          settings = randomSettings();
          await shop.settings(settings);
          changeAt = -1;
        }
        if (reports.length && r.next() < 0.2) await shop.order(reports.pop()!);
        else if (sends.length) await shop.send(sends.splice(0, 1 + r.int(8)));
        else await shop.order(reports.pop()!);
      }
      const expected = await recount(shop.siteId, settings);
      const id = shop.siteId;
      const creditDims = ['day', 'action', 'kind', 'widget_id', 'campaign', 'sequence', 'currency', 'verified'];
      const tables = {
        widgets: [
          'widget_daily',
          ['day', 'kind', 'widget_id', 'campaign', 'sequence'],
          ['instances', 'clicks', 'hovers', 'dismisses'],
        ],
        groups: ['group_daily', ['day', 'group_type', 'group_id'], ['started']],
        daily: ['order_daily', ['day', 'currency', 'verified'], ['orders', 'value_minor']],
        credit: ['order_credit_daily', creditDims, ['orders', 'value_minor']],
        touch: ['order_touch_daily', ['day', 'action', 'channel', 'verified'], ['orders']],
      } as const;
      const pending = await env.DB.prepare('select count(*) as n from attribution_queue where site_id = ?')
        .bind(id)
        .first<{ n: number }>();
      expect(pending?.n, `iteration ${iteration}`).toBe(0);
      for (const [name, [tableName, dims, counters]] of Object.entries(tables)) {
        const actual = await table(tableName, id, [...dims], [...counters]);
        expect(canonical(actual, dims, counters), `${name}, iteration ${iteration}`).toEqual(
          canonical(expected[name as keyof typeof tables], dims, counters),
        );
      }
      expect(expected.daily.size, 'the stream produced orders').toBeGreaterThan(0);
      // Campaign and sequence counters as docs/attribution.md defines them, over whole and partial ranges.
      const start = dayOf(daysAgo(6));
      for (const [first, days] of [
        [0, 4],
        [0, 1],
        [1, 1],
        [2, 1],
        [1, 2],
        [3, 1],
      ] as const) {
        const range = { from: start + first * DAY, to: start + (first + days) * DAY };
        for (const groupType of ['campaign', 'sequence'] as const) {
          const inRange = (day: number) => day >= range.from && day < range.to;
          const want = new Map<string, { started: number; profiles: number }>();
          for (const g of new Set(expected.shown.filter((x) => x.groupType === groupType).map((x) => x.group))) {
            const visitors = expected.shown.filter((x) => x.groupType === groupType && x.group === g && inRange(x.day));
            const started = [...expected.groups.values()]
              .filter((row) => row.group_type === groupType && row.group_id === g && inRange(row.day as number))
              .reduce((n, row) => n + ((row.started as number | undefined) ?? 0), 0);
            const profiles = new Set(visitors.map((x) => x.visitorId)).size;
            if (started || profiles) want.set(g, { started, profiles });
          }
          const query = `?from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`;
          const { rows } = await shop.get<{ rows: { id: string; started: number; profiles: number }[] }>(
            `/v1/stats/${groupType}s${query}`,
          );
          const got = new Map<string, { started: number; profiles: number }>();
          for (const row of rows) {
            const sum = got.get(row.id) ?? { started: 0, profiles: 0 };
            got.set(row.id, { started: sum.started + row.started, profiles: sum.profiles + row.profiles });
          }
          for (const [g, counts] of got) if (!counts.started && !counts.profiles) got.delete(g);
          expect(Object.fromEntries(got), `${groupType}s ${first}+${days}, iteration ${iteration}`).toEqual(
            Object.fromEntries(want),
          );
        }
      }
    }
  }, 120_000);
});
