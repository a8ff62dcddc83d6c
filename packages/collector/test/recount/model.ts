/**
 * The reference implementation of the recount property (test/attribution-recount.test.ts): every
 * stats answer and every order's credit, recounted from the raw stream with the rules as
 * docs/attribution.md, docs/lift.md, docs/ingestion.md and the contract (section 5) state them.
 *
 * Written apart from the collector on purpose: it imports none of its attribution, merge or
 * aggregate code (only `parseStatsRange` for the site's days, and the lift interval function),
 * so a wrong rule in the collector shows up as a difference instead of being copied here.
 */
import {
  type Action,
  type ChatGroupBy,
  type ChatStatsRow,
  type ChatTotalsRow,
  type DailyStatsRow,
  type GroupStatsRow,
  type InteractionView,
  LIMITS,
  type LiftCohort,
  type LiftGroupBy,
  type LiftRow,
  type OrderDetail,
  type OrderStatus,
  type TopActionRow,
  type WidgetKind,
  type WidgetStatsRow,
} from '@lasttouch/shared';
import { conversionLift } from '../../src/stats/lift-math.js';
import { parseStatsRange, type StatsRangeQuery } from '../../src/time/stats-range.js';
import {
  type BatchDelivery,
  type Delivery,
  type GenEvent,
  type LinkSpec,
  MINUTE,
  type SettingsPatch,
  type SiteStream,
} from './stream.js';

const SLOT_MS = 30 * MINUTE;
const slotOf = (ts: number) => Math.floor(ts / SLOT_MS);
const EXPONENT: Record<string, number> = { EUR: 2, USD: 2, JPY: 0 };
const exponent = (currency: string) => {
  const e = EXPONENT[currency];
  if (e === undefined) throw new Error(`the model knows no currency ${currency}`);
  return e;
};
const toMinor = (value: number, currency: string) => Math.round(value * 10 ** exponent(currency));
/** Money as the API shows it: whole minor units, in major units. */
const money = (minor: number, currency: string) => Math.round(minor) / 10 ** exponent(currency);
const ratio = (n: number, d: number, decimals: number) =>
  d === 0 ? null : Math.round((n / d) * 10 ** decimals) / 10 ** decimals;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** docs/attribution.md: at the same millisecond, a deliberate act before a passive one. */
const PRIORITY: Record<Action, number> = {
  link_landing: 0,
  popup_click: 1,
  block_click: 2,
  notification_click: 3,
  notification_hover: 4,
};

/** An event the collector must have accepted, at its corrected time. */
interface Accepted extends GenEvent {
  ts: number;
  landing?: Landing;
}

type Landing = { ok: true; link: IssuedLink } | { ok: false; reason: 'forged' | 'expired' | 'unknown' };

interface IssuedLink extends LinkSpec {
  key: string;
}

interface Report {
  source: 'sdk' | 'server';
  visitorId: string | null;
  customerId: string | null;
  ts: number | null;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  receivedAt: number;
}

export interface Order {
  orderId: string;
  visitorId: string | null;
  customerId: string | null;
  ts: number;
  valueMinor: number;
  currency: string;
  status: OrderStatus;
  verified: boolean;
}

/** What an order's detail shows of an interaction, with what the model needs besides. */
interface Interaction extends Omit<InteractionView, 'id' | 'ts' | 'forwarded' | 'visitorId'> {
  eventId: string;
  visitorId: string;
  sessionId: string;
  ts: number;
  widgetId: string | null;
  agent: string | null;
  link: IssuedLink | null;
}

interface Contribution {
  order: Order;
  slot: number;
  credit: Interaction | null;
  msToOrder: number;
  /** Distinct `action|channel` of the person's interactions inside their window before the order. */
  touches: Set<string>;
  /** Lift groups (with the cohort) the order's browser was eligible for at or before it. */
  lift: { group: string; cohort: 0 | 1 }[];
}

type Loss = { outside: number } | { spent: string } | 'earlier' | 'tie_priority' | 'tie_event_id';

interface Attributed {
  credit: Interaction | null;
  /** Every interaction of the person at or before the order, best first, with why it lost. */
  considered: { i: Interaction; loss: Loss | null }[];
}

export interface ExpectedRejection {
  index: number;
  code: string;
}

/** An order's detail without its candidates (checked apart) and its reports (not modelled). */
export type ExpectedDetail = Omit<OrderDetail, 'candidates' | 'sources'>;

export interface ExpectedCandidate extends InteractionView {
  /** The loss as `describeLoss` words it, matched loosely: the reason is what is checked. */
  lost: RegExp;
}

/** A range as the stats routes read it: the site's local days and the slots each covers. */
export interface ModelRange {
  from: number;
  to: number;
  days: { date: string; slotFrom: number; slotTo: number }[];
  first: number;
  end: number;
}

export function modelRange(query: StatsRangeQuery, tz: string, now: number): ModelRange {
  const r = parseStatsRange(query, tz, now);
  if (!r.ok) throw new Error(`model range: ${r.message}`);
  return { from: r.from, to: r.to, days: r.days, first: r.days[0]!.slotFrom, end: r.days.at(-1)!.slotTo };
}

const inRange = (range: ModelRange, slot: number) => slot >= range.first && slot < range.end;
const dayOf = (range: ModelRange, slot: number) => range.days.find((d) => slot >= d.slotFrom && slot < d.slotTo)?.date;

interface CurrencySum {
  currency: string;
  orders: number;
  valueMinor: number;
}

/**
 * A group's rows, one per currency ascending (or one without orders); counts that do not depend
 * on currency on the first row only: 0 on the others, `null` for rates (the contract, section 5).
 */
function perCurrency<C extends Record<string, number | null>, T>(
  sums: Map<string, CurrencySum> | undefined,
  counts: C,
  row: (counts: C, money: { orders: number; value: number; currency: string | null }, sum: CurrencySum | null) => T,
  rates: readonly string[] = [],
): T[] {
  const list = [...(sums?.values() ?? [])].filter((s) => s.orders !== 0 || s.valueMinor !== 0);
  if (list.length === 0) return [row(counts, { orders: 0, value: 0, currency: null }, null)];
  const blank = Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, v === null || rates.includes(k) ? null : 0]),
  ) as C;
  return list
    .sort((a, b) => byString(a.currency, b.currency))
    .map((s, n) =>
      row(
        n === 0 ? counts : blank,
        { orders: s.orders, value: money(s.valueMinor, s.currency), currency: s.currency },
        s,
      ),
    );
}

function addSum(map: Map<string, CurrencySum>, currency: string, orders: number, valueMinor: number) {
  const s = map.get(currency) ?? { currency, orders: 0, valueMinor: 0 };
  s.orders += orders;
  s.valueMinor += valueMinor;
  map.set(currency, s);
}

const liftGroupsOf = (e: GenEvent) => ['site', ...(e.c ? [`c:${e.c}`] : []), `w:${e.k}:${e.w}`];

export class Model {
  readonly settings: Required<SettingsPatch>;
  /** What the collector should answer each batch with: the rejected events (the rest are accepted or duplicates). */
  readonly rejections = new Map<BatchDelivery, ExpectedRejection[]>();
  readonly orders = new Map<string, Order>();
  private readonly events: Accepted[] = [];
  private readonly seen = new Set<string>();
  private readonly reports = new Map<string, Report[]>();
  private readonly hours = new Map<string, number>();
  private readonly allLinks: IssuedLink[];
  /** customer → visitor → learned at */
  private readonly identities = new Map<string, Map<string, number>>();
  private readonly interactions: Interaction[] = [];
  private readonly recipients = new Map<string, { visitorId: string; ts: number }>();
  private readonly contributions = new Map<string, Contribution>();
  private readonly attributions = new Map<string, Attributed>();
  private readonly exposures = new Map<string, { visitorId: string; group: string; cohort: 0 | 1; first: number }>();

  constructor(
    stream: SiteStream,
    arrivals: readonly Delivery[],
    private readonly now: number,
  ) {
    this.allLinks = [
      ...stream.links.map((l, n) => ({ ...l, key: `link-${n}` })),
      ...stream.oldLinks.map((l, n) => ({ ...l, key: `old-${n}` })),
    ];
    let settings = { ...stream.initial };
    for (const d of arrivals) {
      if (d.kind === 'batch') this.accept(d);
      else if (d.kind === 'report') this.report(d.body);
      else if (d.kind === 'settings') settings = { ...settings, ...d.patch };
      else this.hours.set(`${d.agent}|${d.date}`, d.hours);
    }
    this.settings = settings;
    for (const [orderId, log] of this.reports) {
      const order = merge(orderId, log);
      if (order) this.orders.set(orderId, order);
    }
    this.learnIdentities();
    this.collectInteractions();
    this.collectExposures();
    this.attribute();
    this.tally(arrivals);
  }

  readonly coverage = new Map<string, number>();

  private count(feature: string, n = 1): void {
    if (n > 0) this.coverage.set(feature, (this.coverage.get(feature) ?? 0) + n);
  }

  private tally(arrivals: readonly Delivery[]): void {
    for (const e of this.events) this.count(`event ${e.t}`);
    for (const list of this.rejections.values()) for (const r of list) this.count(`rejected ${r.code}`);
    for (const d of arrivals) {
      if (d.kind === 'batch') this.count(`batch st ${d.st}${d.skew !== 0 ? ' skewed' : ''}`);
      if (d.kind === 'settings') for (const k of Object.keys(d.patch)) this.count(`settings change ${k}`);
    }
    this.count('event clamped to the receive time', this.events.filter((e) => e.ts === this.now).length);
    for (const e of this.events) if (e.landing) this.count(`landing ${e.landing.ok ? 'valid' : e.landing.reason}`);
    const landings = this.interactions.filter((i) => i.link);
    this.count(
      'landing forwarded',
      landings.filter((i) => this.recipients.get(i.link!.key)!.visitorId !== i.visitorId).length,
    );
    const opened = new Set<string>();
    for (const i of landings) {
      const key = `${i.link!.key}|${i.visitorId}`;
      if (opened.has(key)) this.count('link re-opened');
      opened.add(key);
    }
    for (const [orderId, log] of this.reports) {
      const order = this.orders.get(orderId)!;
      this.count(`order ${order.status}${order.verified ? ' verified' : ''}`);
      const statuses = log.filter((r) => r.source === 'server').map((r) => r.status);
      if (statuses.join().includes('refunded,placed')) this.count('order placed again after a refund');
      if (new Set(log.filter((r) => r.source === 'server').map((r) => r.valueMinor)).size > 1)
        this.count('order value changed');
      if (new Set(log.filter((r) => r.source === 'sdk').map((r) => r.visitorId)).size > 1)
        this.count('order checkouts disagree');
      const first = log.findIndex((r) => r.source === 'server');
      if (first >= 0 && log.slice(first).some((r) => r.source === 'sdk')) this.count('order checkout after the store');
      if (order.visitorId === null && order.customerId === null) this.count('order with no one to credit');
      if (order.customerId !== null) this.count('order naming a customer');
    }
    for (const [customer, devices] of this.identities) {
      if (devices.size > 1) this.count('customer with several devices');
      for (const v of devices.keys()) {
        const others = [...this.identities].filter(([c, d]) => c !== customer && d.has(v));
        if (others.length > 0) this.count('device shared by customers');
      }
    }
    for (const [orderId, a] of this.attributions) {
      const order = this.orders.get(orderId)!;
      if (a.credit) this.count(`credit ${a.credit.action}`);
      if (a.credit && a.credit.visitorId !== order.visitorId) this.count('credit from another device');
      if (a.credit?.link && this.recipients.get(a.credit.link.key)!.visitorId !== a.credit.visitorId) {
        this.count('credit to a forwarded link');
      }
      for (const { i, loss } of a.considered) {
        if (loss !== null) this.count(`loss ${typeof loss === 'string' ? loss : Object.keys(loss)[0]}`);
        const edge = order.ts - i.ts - this.windowOf(i);
        if (edge === 0) this.count('interaction exactly one window before its order');
        if (edge === 1) this.count('interaction one millisecond outside its window');
        if (i.ts === order.ts) this.count('interaction at the order time');
      }
    }
    this.count(`policy ${this.settings.creditPolicy}`);
    this.count(`time zone ${this.settings.timezone}`);
    for (const x of this.exposures.values()) this.count(`exposure cohort ${x.cohort}`);
  }

  /** docs/ingestion.md: clock offset from `st`, clamping, age, held-out widgets, dedupe by id. */
  private accept(d: BatchDelivery): void {
    const rejected: ExpectedRejection[] = [];
    for (const [index, e] of d.events.entries()) {
      if (d.st === 'invalid') {
        rejected.push({ index, code: 'invalid_clock' });
        continue;
      }
      // docs/ingestion.md's limits: a token is at most 256 URL-safe characters.
      if (e.token?.kind === 'garbage' && !/^[A-Za-z0-9_.-]{1,256}$/.test(e.token.text)) {
        rejected.push({ index, code: 'invalid_event' });
        continue;
      }
      // With `st` the device's error cancels out: (T + skew) + (now - (now + skew)).
      const corrected = d.st === 'sent' ? e.T : e.T + d.skew;
      const ts = corrected > this.now + LIMITS.futureSkewMs ? this.now : corrected;
      if (ts < this.now - LIMITS.maxAgeMs) {
        rejected.push({ index, code: 'too_old' });
        continue;
      }
      if (e.h === 1 && ['instance', 'click', 'hover', 'dismiss'].includes(e.t)) {
        rejected.push({ index, code: 'held_out' });
        continue;
      }
      if (this.seen.has(e.id)) continue;
      this.seen.add(e.id);
      const accepted: Accepted = { ...e, ts };
      if (e.t === 'landing') accepted.landing = this.land(e, ts);
      this.events.push(accepted);
      if (e.t === 'checkout') {
        this.log(e.o!, {
          source: 'sdk',
          visitorId: e.v,
          customerId: null,
          ts,
          valueMinor: toMinor(e.val!, e.cur!),
          currency: e.cur!,
          status: 'placed',
          receivedAt: this.now,
        });
      }
    }
    this.rejections.set(d, rejected);
  }

  /** docs/links.md and attribution.md: genuine for 400 days after issue; expired is not forged. */
  private land(e: GenEvent, ts: number): Landing {
    const ref = e.token!;
    if (ref.kind === 'unknown') return { ok: false, reason: 'unknown' };
    if (ref.kind !== 'link' && ref.kind !== 'old') return { ok: false, reason: 'forged' };
    const link = this.allLinks.find((l) => l.key === `${ref.kind}-${ref.link}`)!;
    if (ts - link.issuedAt > LIMITS.tokenLifetimeMs) return { ok: false, reason: 'expired' };
    return { ok: true, link };
  }

  private report(body: import('./stream.js').ServerReport): void {
    this.log(body.orderId, {
      source: 'server',
      visitorId: body.visitorId ?? null,
      customerId: body.customerId ?? null,
      ts: body.ts?.at ?? null,
      valueMinor: toMinor(body.value, body.currency),
      currency: body.currency,
      status: body.status ?? 'placed',
      receivedAt: this.now,
    });
  }

  private log(orderId: string, report: Report): void {
    this.reports.set(orderId, [...(this.reports.get(orderId) ?? []), report]);
  }

  /** `identify`, and a server order naming both a visitor and a customer, tie them from that time. */
  private learnIdentities(): void {
    const learn = (customer: string, visitor: string, at: number) => {
      const devices = this.identities.get(customer) ?? new Map<string, number>();
      devices.set(visitor, Math.min(devices.get(visitor) ?? at, at));
      this.identities.set(customer, devices);
    };
    for (const e of this.events) if (e.t === 'identify') learn(e.cu!, e.v, e.ts);
    for (const o of this.orders.values()) {
      if (o.visitorId !== null && o.customerId !== null) learn(o.customerId, o.visitorId, o.ts);
    }
    for (const [customer, devices] of this.identities) {
      if (devices.size > 10) throw new Error(`model: ${customer} has more than 10 devices; keep the stream smaller`);
    }
  }

  /**
   * The person an activity of `visitorId` at `ts` belongs to: the customer linked last at or
   * before it, else the one linked first, else the visitor alone.
   */
  personAt(visitorId: string, ts: number): string {
    const links = [...this.identities].flatMap(([c, devices]) =>
      devices.has(visitorId) ? [{ c, at: devices.get(visitorId)! }] : [],
    );
    if (links.length === 0) return `v:${visitorId}`;
    const times = links.map((l) => l.at);
    if (new Set(times).size !== times.length) throw new Error(`model: ${visitorId} linked twice at one time`);
    const before = links.filter((l) => l.at <= ts).sort((a, b) => b.at - a.at);
    const chosen = before[0] ?? [...links].sort((a, b) => a.at - b.at)[0]!;
    return `c:${chosen.c}`;
  }

  private personOfOrder(o: Order): string | null {
    if (o.customerId !== null) return `c:${o.customerId}`;
    return o.visitorId === null ? null : this.personAt(o.visitorId, o.ts);
  }

  /** Qualifying interactions: pop-up, block and notification clicks, notification hovers, genuine landings. */
  private collectInteractions(): void {
    for (const e of this.events) {
      let action: Action | null = null;
      if (e.t === 'click') action = `${e.k!}_click`;
      else if (e.t === 'hover' && e.k === 'notification') action = 'notification_hover';
      else if (e.t === 'landing' && e.landing?.ok) action = 'link_landing';
      if (action === null) continue;
      const link = e.landing?.ok ? e.landing.link : null;
      this.interactions.push({
        eventId: e.id,
        visitorId: e.v,
        sessionId: e.s,
        ts: e.ts,
        action,
        kind: link ? null : e.k!,
        widgetId: link ? null : e.w!,
        campaign: link ? null : (e.c ?? null),
        sequence: link ? null : (e.q ?? null),
        channel: link?.channel ?? null,
        conversation: link?.conversation ?? null,
        agent: link ? (link.agent ?? null) : null,
        link,
      });
      if (link) {
        // The recipient is the visitor who landed first; everyone else's landing is the link forwarded.
        const before = this.recipients.get(link.key);
        if (before && before.ts === e.ts && before.visitorId !== e.v) {
          throw new Error(`model: two visitors landed through ${link.key} at one time`);
        }
        if (!before || e.ts < before.ts) this.recipients.set(link.key, { visitorId: e.v, ts: e.ts });
      }
    }
  }

  /** docs/lift.md: per visitor and group, its first eligibility and the cohort it came with. */
  private collectExposures(): void {
    for (const e of this.events) {
      if (e.t !== 'eligible') continue;
      for (const group of liftGroupsOf(e)) {
        const key = `${e.v}|${group}`;
        const before = this.exposures.get(key);
        const cohort = e.h === 1 ? 1 : 0;
        if (before && before.cohort !== cohort) throw new Error(`model: ${e.v} changed cohort; not modelled`);
        if (!before || e.ts < before.first) this.exposures.set(key, { visitorId: e.v, group, cohort, first: e.ts });
      }
    }
  }

  private windowOf(i: Interaction): number {
    const w = this.settings.attributionWindows;
    const own = (o: object, k: string | null) =>
      k !== null && Object.hasOwn(o, k) ? (o as Record<string, number>)[k] : undefined;
    return (own(w.campaigns, i.campaign) ?? own(w.channels, i.channel) ?? own(w.kinds, i.kind) ?? w.default) * 1000;
  }

  private inWindow(i: Interaction, orderTs: number): boolean {
    return i.ts <= orderTs && orderTs - i.ts <= this.windowOf(i);
  }

  /** Per person: every placed order's winner among the person's interactions (docs/attribution.md, the rules). */
  private attribute(): void {
    const rank = (a: Interaction, b: Interaction) =>
      b.ts - a.ts || PRIORITY[a.action] - PRIORITY[b.action] || byString(a.eventId, b.eventId);
    const byPerson = new Map<string, { orders: Order[]; interactions: Interaction[] }>();
    const entry = (p: string) => {
      const e = byPerson.get(p) ?? { orders: [], interactions: [] };
      byPerson.set(p, e);
      return e;
    };
    for (const i of this.interactions) entry(this.personAt(i.visitorId, i.ts)).interactions.push(i);
    for (const o of this.orders.values()) {
      const p = this.personOfOrder(o);
      if (p !== null && o.status === 'placed') entry(p).orders.push(o);
    }
    const first = this.settings.creditPolicy === 'first';
    for (const { orders, interactions } of byPerson.values()) {
      orders.sort((a, b) => a.ts - b.ts || byString(a.orderId, b.orderId));
      interactions.sort(rank);
      // Under `first`, an interaction earns at most the first order placed at or after it.
      const firstOrder = (i: Interaction) => orders.find((o) => o.ts >= i.ts)?.orderId;
      for (const o of orders) {
        const before = interactions.filter((i) => i.ts <= o.ts);
        const eligible = (i: Interaction) => this.inWindow(i, o.ts) && (!first || firstOrder(i) === o.orderId);
        const credit = before.find(eligible) ?? null;
        const considered = before.map((i) => {
          if (i === credit) return { i, loss: null };
          let loss: Loss;
          if (!this.inWindow(i, o.ts)) loss = { outside: this.windowOf(i) };
          else if (first && firstOrder(i) !== o.orderId) loss = { spent: firstOrder(i)! };
          else if (credit!.ts !== i.ts) loss = 'earlier';
          else loss = credit!.action !== i.action ? 'tie_priority' : 'tie_event_id';
          return { i, loss };
        });
        this.attributions.set(o.orderId, { credit, considered });
      }
    }
    for (const o of this.orders.values()) {
      if (o.status !== 'placed') continue;
      const a = this.attributions.get(o.orderId);
      const credit = a?.credit ?? null;
      const touches = new Set(
        (a?.considered ?? [])
          .filter(({ i }) => this.inWindow(i, o.ts))
          .map(({ i }) => `${i.action}|${i.channel ?? ''}`),
      );
      const lift =
        o.visitorId === null
          ? []
          : [...this.exposures.values()]
              .filter((x) => x.visitorId === o.visitorId && x.first <= o.ts)
              .map((x) => ({ group: x.group, cohort: x.cohort }));
      this.contributions.set(o.orderId, {
        order: o,
        slot: slotOf(o.ts),
        credit,
        // From the conversation's first tagged link (or the landing, if earlier) to the order.
        msToOrder: credit?.link ? o.ts - Math.min(this.firstLinkAt(credit.link.conversation), credit.ts) : 0,
        touches,
        lift,
      });
    }
  }

  private firstLinkAt(conversation: string): number {
    return Math.min(...this.allLinks.filter((l) => l.conversation === conversation).map((l) => l.issuedAt));
  }

  private credited(range: ModelRange, verified: boolean): Contribution[] {
    return [...this.contributions.values()].filter((c) => inRange(range, c.slot) && (!verified || c.order.verified));
  }

  private widgetEvents(range: ModelRange, type: string) {
    return this.events.filter((e) => e.t === type && inRange(range, slotOf(e.ts)));
  }

  /** Per session and key, the time of the first event of `type` (clicks and hovers count sessions). */
  private sessionFirsts(type: 'click' | 'hover'): Accepted[] {
    const firsts = new Map<string, Accepted>();
    for (const e of this.events) {
      if (e.t !== type) continue;
      const key = JSON.stringify([e.s, e.k, e.w, e.c ?? '', e.q ?? '']);
      const before = firsts.get(key);
      if (!before || e.ts < before.ts) firsts.set(key, e);
    }
    return [...firsts.values()];
  }

  /** Widget counters per key: instances and dismisses (events), clicks and hovers (sessions, in the slot of the first). */
  private widgetCounters(range: ModelRange, keep: (e: GenEvent) => boolean, keyOf: (e: Accepted) => string) {
    const counters = new Map<string, { instances: number; clicks: number; hovers: number; dismisses: number }>();
    const add = (e: Accepted, field: 'instances' | 'clicks' | 'hovers' | 'dismisses') => {
      if (!keep(e) || !inRange(range, slotOf(e.ts))) return;
      const k = keyOf(e);
      const c = counters.get(k) ?? { instances: 0, clicks: 0, hovers: 0, dismisses: 0 };
      c[field]++;
      counters.set(k, c);
    };
    for (const e of this.widgetEvents(range, 'instance')) add(e, 'instances');
    for (const e of this.widgetEvents(range, 'dismiss')) add(e, 'dismisses');
    for (const e of this.sessionFirsts('click')) add(e, 'clicks');
    for (const e of this.sessionFirsts('hover')) add(e, 'hovers');
    return counters;
  }

  widgets(range: ModelRange, verified: boolean): WidgetStatsRow[] {
    const keyOf = (x: { k?: string; w?: string; c?: string; q?: string }) =>
      JSON.stringify([x.k, x.w, x.c ?? '', x.q ?? '']);
    const counters = this.widgetCounters(range, () => true, keyOf);
    const sums = new Map<string, Map<string, CurrencySum>>();
    for (const c of this.credited(range, verified)) {
      if (!c.credit || c.credit.action === 'link_landing') continue;
      const i = c.credit;
      const k = keyOf({ k: i.kind!, w: i.widgetId!, c: i.campaign ?? '', q: i.sequence ?? '' });
      addSum(sums.get(k) ?? sums.set(k, new Map()).get(k)!, c.order.currency, 1, c.order.valueMinor);
    }
    const keys = [...new Set([...counters.keys(), ...sums.keys()])];
    return keys.flatMap((k) => {
      const [kind, id, campaign, sequence] = JSON.parse(k) as [WidgetKind, string, string, string];
      const counts = counters.get(k) ?? { instances: 0, clicks: 0, hovers: 0, dismisses: 0 };
      const money = [...(sums.get(k)?.values() ?? [])].some((s) => s.orders !== 0 || s.valueMinor !== 0);
      if (Object.values(counts).every((n) => n === 0) && !money) return [];
      return perCurrency(sums.get(k), counts, (n, o) => ({
        kind,
        id,
        campaign: campaign === '' ? null : campaign,
        sequence: sequence === '' ? null : sequence,
        ...n,
        ...o,
      }));
    });
  }

  groups(type: 'campaign' | 'sequence', range: ModelRange, verified: boolean): GroupStatsRow[] {
    const groupOf = (x: { c?: string | null; q?: string | null }) => (type === 'campaign' ? x.c : x.q) ?? null;
    // `started`: sessions, in the slot of their first showing of the group; `profiles`: distinct visitors shown one.
    const firstShowing = new Map<string, { group: string; ts: number }>();
    const profiles = new Map<string, Set<string>>();
    for (const e of this.events) {
      const g = groupOf(e);
      if (e.t !== 'instance' || !g) continue;
      const key = `${e.s}|${g}`;
      const before = firstShowing.get(key);
      if (!before || e.ts < before.ts) firstShowing.set(key, { group: g, ts: e.ts });
      if (inRange(range, slotOf(e.ts))) {
        profiles.set(g, (profiles.get(g) ?? new Set()).add(e.v));
      }
    }
    const started = new Map<string, number>();
    for (const { group, ts } of firstShowing.values()) {
      if (inRange(range, slotOf(ts))) started.set(group, (started.get(group) ?? 0) + 1);
    }
    const sums = new Map<string, Map<string, CurrencySum>>();
    for (const c of this.credited(range, verified)) {
      if (!c.credit || c.credit.action === 'link_landing') continue;
      const g = groupOf({ c: c.credit.campaign, q: c.credit.sequence });
      if (!g) continue;
      addSum(sums.get(g) ?? sums.set(g, new Map()).get(g)!, c.order.currency, 1, c.order.valueMinor);
    }
    const ids = [...new Set([...started.keys(), ...profiles.keys(), ...sums.keys()])];
    return ids.flatMap((id) => {
      const counts = { started: started.get(id) ?? 0, profiles: profiles.get(id)?.size ?? 0 };
      const money = [...(sums.get(id)?.values() ?? [])].some((s) => s.orders !== 0 || s.valueMinor !== 0);
      if (counts.started === 0 && counts.profiles === 0 && !money) return [];
      return perCurrency(sums.get(id), counts, (n, o) => ({ id, ...n, ...o }));
    });
  }

  topActions(range: ModelRange, verified: boolean): TopActionRow[] {
    const counts = new Map<string, number>();
    for (const c of this.credited(range, verified)) {
      for (const t of c.touches) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return [...counts]
      .map(([k, orders]) => {
        const [action, channel] = k.split('|') as [Action, string];
        return { action, channel, orders };
      })
      .sort((a, b) => b.orders - a.orders || byString(a.action, b.action) || byString(a.channel, b.channel))
      .map((r) => ({ ...r, channel: r.channel === '' ? null : r.channel }));
  }

  daily(
    range: ModelRange,
    verified: boolean,
    filter: { widget: string } | { campaign: string } | null,
  ): DailyStatsRow[] {
    const keep = (x: { w?: string | null; c?: string | null }) =>
      filter === null ? true : 'widget' in filter ? x.w === filter.widget : x.c === filter.campaign;
    const counters = this.widgetCounters(range, keep, (e) => dayOf(range, slotOf(e.ts))!);
    const sums = new Map<string, Map<string, CurrencySum>>();
    for (const c of this.credited(range, verified)) {
      if (!c.credit || c.credit.action === 'link_landing') continue;
      if (!keep({ w: c.credit.widgetId, c: c.credit.campaign })) continue;
      const day = dayOf(range, c.slot)!;
      addSum(sums.get(day) ?? sums.set(day, new Map()).get(day)!, c.order.currency, 1, c.order.valueMinor);
    }
    const dropped = new Map<string, number>();
    for (const e of this.events) {
      if (e.t !== 'drop' || !inRange(range, slotOf(e.ts))) continue;
      const day = dayOf(range, slotOf(e.ts))!;
      dropped.set(day, (dropped.get(day) ?? 0) + e.n!);
    }
    return range.days.flatMap(({ date }) => {
      const c = counters.get(date) ?? { instances: 0, clicks: 0, hovers: 0, dismisses: 0 };
      const counts = { ...c, droppedEvents: filter === null ? (dropped.get(date) ?? 0) : 0 };
      return perCurrency(sums.get(date), counts, (n, o) => ({ date, ...n, ...o }));
    });
  }

  chat(
    range: ModelRange,
    groupBy: ChatGroupBy,
    verified: boolean,
  ): { rows: ChatStatsRow[]; totals: ChatTotalsRow[]; invalidLandings: number; expiredLandings: number } {
    const column = (x: { channel: string | null; agent?: string | null; conversation: string | null }) =>
      (groupBy === 'channel' ? x.channel : groupBy === 'agent' ? x.agent : x.conversation) ?? '';
    // Contacts: distinct conversations with a link issued in the range.
    const contacts = new Map<string, Set<string>>();
    for (const l of this.allLinks) {
      if (l.issuedAt < range.from || l.issuedAt >= range.to) continue;
      const g = column(l);
      contacts.set(g, (contacts.get(g) ?? new Set()).add(l.conversation));
    }
    const credits = new Map<string, { sums: Map<string, CurrencySum>; orders: number; ms: number }>();
    for (const c of this.credited(range, verified)) {
      if (c.credit?.action !== 'link_landing') continue;
      const g = column(c.credit);
      const entry = credits.get(g) ?? { sums: new Map(), orders: 0, ms: 0 };
      addSum(entry.sums, c.order.currency, 1, c.order.valueMinor);
      entry.orders++;
      entry.ms += c.msToOrder;
      credits.set(g, entry);
    }
    const hours = new Map<string, number>();
    for (const [key, h] of this.hours) {
      const [agent, date] = key.split('|') as [string, string];
      if (range.days.some((d) => d.date === date)) hours.set(agent, (hours.get(agent) ?? 0) + h);
    }
    const groups = [...new Set([...contacts.keys(), ...credits.keys()])]
      .map((g) => ({ g, n: contacts.get(g)?.size ?? 0 }))
      .sort((a, b) => b.n - a.n || byString(a.g, b.g));
    const rows = groups.flatMap(({ g, n }) => {
      const credit = credits.get(g);
      const orders = credit?.orders ?? 0;
      const counts = {
        contacts: n,
        conversionRate: ratio(orders, n, 3),
        averageSecondsBeforePurchase: orders === 0 ? null : Math.round(credit!.ms / orders / 1000),
      };
      const agentHours = hours.get(g);
      return perCurrency(
        credit?.sums,
        counts,
        (k, o, sum): ChatStatsRow => ({
          group: g,
          contacts: k.contacts!,
          transactionsAfterContact: o.orders,
          turnoverAfterContact: o.value,
          conversionRate: k.conversionRate,
          averageOrderValueAfterContact: sum ? money(sum.valueMinor / sum.orders, sum.currency) : null,
          averageSecondsBeforePurchase: k.averageSecondsBeforePurchase,
          turnoverPerContact: n === 0 ? null : sum ? money(sum.valueMinor / n, sum.currency) : 0,
          ...(groupBy === 'agent'
            ? { turnoverPerHour: agentHours && sum ? money(sum.valueMinor / agentHours, sum.currency) : null }
            : {}),
          currency: o.currency,
        }),
        ['conversionRate', 'averageSecondsBeforePurchase'],
      );
    });
    // Totals: every placed order of the site in the range, attributed or not.
    const totals = new Map<string, CurrencySum>();
    for (const c of this.credited(range, verified)) addSum(totals, c.order.currency, 1, c.order.valueMinor);
    const landings = (reason: string) =>
      this.events.filter(
        (e) =>
          e.t === 'landing' && e.landing?.ok === false && e.landing.reason === reason && inRange(range, slotOf(e.ts)),
      ).length;
    return {
      rows,
      totals: [...totals.values()]
        .filter((t) => t.orders > 0)
        .sort((a, b) => byString(a.currency, b.currency))
        .map((t) => ({
          websiteTransactions: t.orders,
          websiteTurnover: money(t.valueMinor, t.currency),
          websiteAverageOrderValue: money(t.valueMinor / t.orders, t.currency),
          currency: t.currency,
        })),
      invalidLandings: landings('forged') + landings('unknown'),
      expiredLandings: landings('expired'),
    };
  }

  /**
   * docs/lift.md: per group and cohort, the eligible visitors in the range (never fewer than the
   * converters), converters in the slot of their first order at or after eligibility, the orders
   * of eligible browsers. Groups without held-out visitors are left out.
   */
  lift(range: ModelRange, groupBy: LiftGroupBy): LiftRow[] {
    const matches = (g: string) =>
      groupBy === 'site' ? g === 'site' : g.startsWith(groupBy === 'campaign' ? 'c:' : 'w:');
    type Side = { visitors: Set<string>; converters: number; sums: Map<string, CurrencySum> };
    const groups = new Map<string, [Side, Side]>();
    const side = (g: string, cohort: 0 | 1) => {
      const sides =
        groups.get(g) ??
        groups
          .set(g, [
            { visitors: new Set(), converters: 0, sums: new Map() },
            { visitors: new Set(), converters: 0, sums: new Map() },
          ])
          .get(g)!;
      return sides[cohort];
    };
    for (const e of this.events) {
      if (e.t !== 'eligible' || !inRange(range, slotOf(e.ts))) continue;
      for (const g of liftGroupsOf(e)) {
        if (matches(g)) side(g, this.exposures.get(`${e.v}|${g}`)!.cohort).visitors.add(e.v);
      }
    }
    for (const x of this.exposures.values()) {
      if (!matches(x.group)) continue;
      const converted = [...this.orders.values()]
        .filter((o) => o.status === 'placed' && o.visitorId === x.visitorId && o.ts >= x.first)
        .map((o) => o.ts);
      if (converted.length === 0) continue;
      const at = Math.min(...converted);
      if (!inRange(range, slotOf(at))) continue;
      side(x.group, x.cohort).converters++;
    }
    for (const c of this.credited(range, false)) {
      for (const { group, cohort } of c.lift) {
        if (matches(group)) addSum(side(group, cohort).sums, c.order.currency, 1, c.order.valueMinor);
      }
    }
    const rows: LiftRow[] = [];
    for (const [key, [exposed, holdout]] of groups) {
      const counts = (s: Side) => ({ visitors: Math.max(s.visitors.size, s.converters), converters: s.converters });
      const [e, h] = [counts(exposed), counts(holdout)];
      if (h.visitors === 0) continue;
      const interval = conversionLift(e, h);
      const nonzero = (s: Side) => [...s.sums.values()].filter((x) => x.orders !== 0 || x.valueMinor !== 0);
      const currencies = [...new Set([...nonzero(exposed), ...nonzero(holdout)].map((x) => x.currency))].sort(byString);
      const cohort = (s: Side, c: typeof e, currency: string | null, first: boolean): LiftCohort => {
        const sum = currency === null ? undefined : s.sums.get(currency);
        const real = sum && (sum.orders !== 0 || sum.valueMinor !== 0) ? sum : undefined;
        return {
          visitors: first ? c.visitors : 0,
          converters: first ? c.converters : 0,
          orders: real?.orders ?? 0,
          value: real ? money(real.valueMinor, real.currency) : 0,
          conversionRate: first ? ratio(c.converters, c.visitors, 4) : null,
          revenuePerVisitor: real ? money(real.valueMinor / Math.max(c.visitors, 1), real.currency) : first ? 0 : null,
        };
      };
      const label = key === 'site' ? 'site' : key.startsWith('c:') ? key.slice(2) : key.slice(key.indexOf(':', 2) + 1);
      // The group's first row carries the counts and the interval; the other currencies' rows only their money.
      const [head = null, ...rest] = currencies;
      const both = (currency: string | null, first: boolean) => ({
        exposed: cohort(exposed, e, currency, first),
        holdout: cohort(holdout, h, currency, first),
      });
      rows.push({ group: label, currency: head, ...both(head, true), ...interval });
      for (const currency of rest) {
        rows.push({
          group: label,
          currency,
          ...both(currency, false),
          lift: null,
          low: null,
          high: null,
          significant: false,
        });
      }
    }
    return rows;
  }

  private view(i: Interaction): InteractionView {
    return {
      action: i.action,
      kind: i.kind,
      id: i.widgetId,
      campaign: i.campaign,
      sequence: i.sequence,
      channel: i.channel,
      conversation: i.conversation,
      ts: new Date(i.ts).toISOString(),
      visitorId: i.visitorId,
      ...(i.link ? { forwarded: this.recipients.get(i.link.key)!.visitorId !== i.visitorId } : {}),
    };
  }

  /** `GET /v1/orders/:orderId`: the order as its reports merge, and the interaction credited (null unless placed). */
  detail(orderId: string): ExpectedDetail {
    const o = this.orders.get(orderId)!;
    const credit = o.status === 'placed' ? (this.attributions.get(orderId)?.credit ?? null) : null;
    return {
      orderId,
      value: money(o.valueMinor, o.currency),
      currency: o.currency,
      status: o.status,
      verified: o.verified,
      visitorId: o.visitorId,
      ts: new Date(o.ts).toISOString(),
      credited: credit && this.view(credit),
    };
  }

  /**
   * The candidates an order detail must list (in rank order, with why each lost): at least every
   * interaction inside the site's longest window before the order; older ones may be listed.
   */
  candidates(orderId: string): { required: number; all: ExpectedCandidate[] } {
    const o = this.orders.get(orderId)!;
    const a = o.status === 'placed' ? this.attributions.get(orderId) : undefined;
    const w = this.settings.attributionWindows;
    const longest =
      Math.max(w.default, ...Object.values(w.kinds), ...Object.values(w.channels), ...Object.values(w.campaigns)) *
      1000;
    const lost = (a?.considered ?? []).filter((c) => c.loss !== null);
    const all = lost.map(({ i, loss }) => ({ ...this.view(i), lost: lossPattern(loss!) }));
    return { required: lost.filter(({ i }) => o.ts - i.ts <= longest).length, all };
  }
}

/** What a stream exercised, by feature: the test asserts the default seeds cover every one. */
export function coverage(model: Model): Map<string, number> {
  return model.coverage;
}

function lossPattern(loss: Loss): RegExp {
  if (loss === 'earlier') return /^earlier than the credited interaction$/;
  if (loss === 'tie_priority') return /^same time as the credited interaction, whose action ranks higher$/;
  if (loss === 'tie_event_id')
    return /^same time and action as the credited interaction, which has the smaller event id$/;
  if ('outside' in loss) return new RegExp(`^outside its attribution window \\(${loss.outside / 1000} seconds\\)$`);
  return new RegExp(`already spent on order ${loss.spent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
}

/**
 * An order from its log (docs/attribution.md, "Orders: a log of reports"): the latest server
 * report stands for value, currency and status; visitor, customer and time from the latest
 * server report that gives them; what it omits from the SDK checkouts received before the
 * server's first report (a visitor only if they agree). Without a server report: the first SDK
 * checkout's value, the visitor the checkouts agree on, their earliest time.
 *
 * Not stated by the docs, taken from the collector: when checkouts disagree on the visitor, no
 * time of theirs is used either (the order is dated when the first report was received).
 */
function merge(orderId: string, log: Report[]): Order | undefined {
  const firstServer = log.findIndex((r) => r.source === 'server');
  const server = log.filter((r) => r.source === 'server');
  const sdk = (firstServer < 0 ? log : log.slice(0, firstServer)).filter((r) => r.source === 'sdk');
  const visitors = new Set(sdk.map((r) => r.visitorId));
  const sdkVisitor = visitors.size === 1 ? [...visitors][0]! : null;
  const sdkTs = sdkVisitor === null ? null : Math.min(...sdk.map((r) => r.ts!));
  const latest = server.at(-1);
  if (latest) {
    const last = <K extends keyof Report>(field: K) => server.findLast((r) => r[field] !== null)?.[field] ?? null;
    return {
      orderId,
      visitorId: (last('visitorId') as string | null) ?? sdkVisitor,
      customerId: last('customerId') as string | null,
      ts: (last('ts') as number | null) ?? sdkTs ?? server[0]!.receivedAt,
      valueMinor: latest.valueMinor,
      currency: latest.currency,
      status: latest.status,
      verified: true,
    };
  }
  const first = sdk[0];
  if (!first) return undefined;
  return {
    orderId,
    visitorId: sdkVisitor,
    customerId: null,
    ts: sdkTs ?? first.receivedAt,
    valueMinor: first.valueMinor,
    currency: first.currency,
    status: 'placed',
    verified: false,
  };
}
