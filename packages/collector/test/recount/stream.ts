/**
 * The recount property's stream generator (test/attribution-recount.test.ts): a seeded story of
 * a few shops' visitors — widgets shown, hovered, clicked and dismissed, tagged links issued and
 * opened (again, forwarded, too old, forged), identify on shared and several devices, holdout
 * eligibility, SDK checkouts and the store's reports (repeated, reversed, value changes, forged
 * and conflicting checkouts), dropped events, batches from skewed clocks, retries, settings and
 * time zone changes — and the two arrival orders it is delivered in.
 *
 * Everything here is abstract: tokens are references to links the driver issues, times are the
 * true times of the story (the driver adds each device's clock error). The model
 * (`model.ts`) and the driver (`driver.ts`) read the same stream.
 */
import type { CreditPolicy, EventType, Settings, WidgetKind } from '@lasttouch/shared';
import { seededRandom, TRICKY_TIME_ZONES } from '@lasttouch/shared/testing';

export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const ORIGIN = 'https://shop.example';

export interface Rng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    shuffle: (items) => {
      const a = [...items];
      for (let i = a.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    },
  };
}

export interface Widget {
  k: WidgetKind;
  w: string;
  c?: string;
  q?: string;
}

/** Two widgets share the id `spring-sale` (a pop-up and a block): `daily?widget=` and lift by widget keep kinds apart. */
export const WIDGETS: readonly Widget[] = [
  { k: 'popup', w: 'spring-sale', c: 'spring', q: 'welcome' },
  { k: 'popup', w: 'exit' },
  { k: 'notification', w: 'ship-free', c: 'spring' },
  { k: 'notification', w: 'chat-bubble', q: 'onboarding' },
  { k: 'block', w: 'hero', c: 'fall', q: 'welcome' },
  { k: 'block', w: 'spring-sale', c: 'fall' },
];
export const CHANNELS = ['whatsapp', 'sms', 'email', 'messenger'] as const;
export const AGENTS = ['ann', 'bob', undefined] as const;
export const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'JPY'] as const;
/** The tricky zones and Auckland, whose DST changes on other dates than Paris's and Los Angeles's. */
export const TIME_ZONES = [...TRICKY_TIME_ZONES, 'Pacific/Auckland'] as const;

/** Where a landing's token comes from; the driver turns it into a token string per site. */
export type TokenRef =
  /** A link issued to this site (index into `SiteStream.links`). */
  | { kind: 'link'; link: number }
  /** A genuine link issued 450 days ago: expired, never forged. */
  | { kind: 'old'; link: number }
  /** A genuine token of the next site. */
  | { kind: 'foreign'; link: number }
  /** A genuine token of this site with one character changed. */
  | { kind: 'altered'; link: number }
  | { kind: 'garbage'; text: string }
  /** Signed with this site's secret, naming a link that was never issued. */
  | { kind: 'unknown'; n: number };

/** An event of the story, at its true time `T`. */
export interface GenEvent {
  id: string;
  t: EventType;
  v: string;
  s: string;
  T: number;
  h?: 0 | 1;
  k?: WidgetKind;
  w?: string;
  c?: string;
  q?: string;
  token?: TokenRef;
  o?: string;
  val?: number;
  cur?: string;
  cu?: string;
  n?: number;
}

/**
 * An SDK batch of one device: `skew` is the device clock's error; `st` says whether the batch
 * carries its send time (`sent`), none (another sender: times taken as they come), or one so far
 * off that the collector refuses the batch (`invalid`). `chain`: the order whose log it appends to.
 */
export interface BatchDelivery {
  kind: 'batch';
  events: GenEvent[];
  skew: number;
  st: 'sent' | 'none' | 'invalid';
  chain: string | null;
  nominal: number;
}

export interface ServerReport {
  orderId: string;
  value: number;
  currency: string;
  visitorId?: string;
  customerId?: string;
  /** The order time, sent as UTC ms or as an ISO string. */
  ts?: { at: number; iso: boolean };
  status?: 'placed' | 'refunded' | 'cancelled';
}

export interface ReportDelivery {
  kind: 'report';
  body: ServerReport;
  chain: string;
  nominal: number;
}

export interface HoursDelivery {
  kind: 'hours';
  agent: string;
  date: string;
  hours: number;
  chain: null;
  nominal: number;
}

export interface SettingsDelivery {
  kind: 'settings';
  patch: SettingsPatch;
  chain: null;
  nominal: number;
}

export type Delivery = BatchDelivery | ReportDelivery | HoursDelivery | SettingsDelivery;

export type SettingsPatch = Partial<Pick<Settings, 'attributionWindows' | 'creditPolicy' | 'timezone'>>;

export interface LinkSpec {
  conversation: string;
  channel: string;
  agent?: string;
  /** Whole seconds (tokens carry seconds). */
  issuedAt: number;
}

export interface SiteStream {
  links: LinkSpec[];
  /** Issued 450 days before the stream: every landing through them is expired. */
  oldLinks: LinkSpec[];
  /** Settings at creation. */
  initial: Required<SettingsPatch>;
  /** Settings changes, at a fraction of the site's arrivals each. */
  changes: { at: number; patch: SettingsPatch }[];
  deliveries: Delivery[];
}

export interface StreamSize {
  sites: number;
  visitors: number;
  customers: number;
  links: number;
  serverOnlyOrders: number;
}

export function randomWindows(r: Rng): Settings['attributionWindows'] {
  return {
    default: r.pick([3600, 86_400, 3 * 86_400, 14 * 86_400]),
    kinds: r.pick<Settings['attributionWindows']['kinds']>([
      {},
      { popup: 7200 },
      { notification: 1800, block: 2 * 86_400 },
    ]),
    channels: r.pick<Record<string, number>>([{}, { sms: 86_400, email: 5 * 86_400 }, { whatsapp: 3600 }]),
    campaigns: r.pick<Record<string, number>>([{}, { spring: 2 * 86_400 }, { fall: 600 }]),
  };
}

const policy = (r: Rng): CreditPolicy => r.pick(['every', 'first'] as const);

/** The window of an interaction under `settings` (docs/attribution.md), for placing events on its edge. */
function windowMs(
  settings: Required<SettingsPatch>,
  i: { campaign?: string; channel?: string; kind?: WidgetKind },
): number {
  const w = settings.attributionWindows;
  const own = <T extends object>(o: T, k: string | undefined) =>
    k !== undefined && Object.hasOwn(o, k) ? (o as Record<string, number>)[k] : undefined;
  return (own(w.campaigns, i.campaign) ?? own(w.channels, i.channel) ?? own(w.kinds, i.kind) ?? w.default) * 1000;
}

/** Settings after applying `changes` in order: what the final stats answer under. */
export function finalSettings(stream: SiteStream): Required<SettingsPatch> {
  return Object.assign({ ...stream.initial }, ...stream.changes.map((c) => c.patch));
}

/**
 * One site's stream. `now` is when everything is received (the driver's clock); story times lie
 * in the 20 days before it (a few older, to be refused as too old).
 */
export function generateSite(r: Rng, now: number, size: StreamSize, tag: string): SiteStream {
  let counter = 0;
  const id = (prefix: string) => `${prefix}${tag}-${++counter}`;
  const start = now - 20 * DAY;
  // A session's steps add up to at most two hours: every true time stays in the past.
  const latest = now - 4 * HOUR;
  const randomTime = () => start + r.int(latest - start);

  const initial: Required<SettingsPatch> = {
    attributionWindows: randomWindows(r),
    creditPolicy: policy(r),
    timezone: r.pick(TIME_ZONES),
  };
  const changes: SiteStream['changes'] = [];
  for (let n = r.int(3); n > 0; n--) {
    const patch: SettingsPatch = {};
    if (r.chance(0.7)) patch.attributionWindows = randomWindows(r);
    if (r.chance(0.5)) patch.creditPolicy = policy(r);
    if (r.chance(0.6) || Object.keys(patch).length === 0) patch.timezone = r.pick(TIME_ZONES);
    changes.push({ at: r.next(), patch });
  }
  changes.sort((a, b) => a.at - b.at);
  const final = Object.assign({ ...initial }, ...changes.map((c) => c.patch)) as Required<SettingsPatch>;

  // Links: a few conversations, some with several links (a re-sent link), one conversation on two channels.
  const conversations = Array.from({ length: Math.max(2, Math.ceil(size.links / 2)) }, (_, n) => ({
    conversation: `conv-${n + 1}`,
    channel: r.pick(CHANNELS),
  }));
  const links: LinkSpec[] = Array.from({ length: size.links }, () => {
    const conv = r.pick(conversations);
    const agent = r.pick(AGENTS);
    return {
      conversation: conv.conversation,
      channel: r.chance(0.1) ? r.pick(CHANNELS) : conv.channel,
      ...(agent ? { agent } : {}),
      issuedAt: Math.floor((now - 25 * DAY + r.int(24 * DAY)) / SECOND) * SECOND,
    };
  });
  const oldLinks: LinkSpec[] = [
    {
      conversation: r.chance(0.3) ? conversations[0]!.conversation : 'conv-old',
      channel: 'whatsapp',
      agent: 'ann',
      issuedAt: Math.floor((now - 450 * DAY) / SECOND) * SECOND,
    },
  ];

  const customers = Array.from({ length: size.customers }, () => id('cust-'));
  interface Profile {
    v: string;
    skew: number;
    st: 'sent' | 'none';
    cohort: 0 | 1 | undefined;
    /** Customers this device identifies as, in this order (a shared device has two). */
    identities: string[];
    favouriteLink: number;
  }
  const profiles: Profile[] = Array.from({ length: size.visitors }, () => {
    const st = r.chance(0.85) ? 'sent' : 'none';
    return {
      v: id('v-'),
      // A device clock an hour fast without `st` puts recent events ahead of the receive time: clamped.
      skew: r.pick([0, 0, 0, 0, 37 * SECOND, -2 * HOUR, 3 * DAY, -1500, st === 'none' ? 30 * DAY : HOUR]),
      st,
      cohort: r.chance(0.45) ? (r.chance(0.4) ? 1 : 0) : undefined,
      identities: [],
      // Most visitors favour the same two links: shared (forwarded) links are the common case.
      favouriteLink: r.int(Math.min(2, links.length)),
    };
  });
  // Customers with one or more devices; one shared device identifies as two customers in turn.
  for (const c of customers) {
    for (const p of r.shuffle(profiles).slice(0, 1 + r.int(3))) if (p.identities.length === 0) p.identities.push(c);
  }
  if (profiles.length > 1 && customers.length > 1) {
    const shared = r.pick(profiles);
    const other = customers.find((c) => !shared.identities.includes(c))!;
    shared.identities.push(other);
  }

  const deliveries: Delivery[] = [];
  let edges = 0;
  const orderTimes: { o: string; v: string; T: number }[] = [];
  const visitorIds = profiles.map((p) => p.v);

  const tokenFor = (p: Profile, T: number): TokenRef => {
    const roll = r.next();
    if (roll < 0.07) return { kind: 'old', link: 0 };
    if (roll < 0.12) return { kind: 'foreign', link: r.int(links.length) };
    if (roll < 0.17) return { kind: 'altered', link: r.int(links.length) };
    if (roll < 0.21) return { kind: 'garbage', text: r.pick(['x', 'not-a-token', 'A'.repeat(40), '%%%']) };
    if (roll < 0.25) return { kind: 'unknown', n: r.int(2) };
    const open = links.map((l, n) => ({ l, n })).filter(({ l }) => l.issuedAt < T);
    if (open.length === 0) return { kind: 'old', link: 0 };
    const fav = links[p.favouriteLink]!;
    return { kind: 'link', link: fav.issuedAt < T && r.chance(0.6) ? p.favouriteLink : r.pick(open).n };
  };

  /** Batches of one device's events (time order), at most one checkout each. */
  const batchUp = (p: Profile, events: GenEvent[]) => {
    events.sort((a, b) => a.T - b.T);
    let current: GenEvent[] = [];
    const flush = () => {
      if (current.length === 0) return;
      const checkout = current.find((e) => e.t === 'checkout');
      const batch: BatchDelivery = {
        kind: 'batch',
        events: current,
        skew: p.skew,
        st: r.chance(0.03) ? 'invalid' : p.st,
        chain: checkout?.o ?? null,
        nominal: Math.max(...current.map((e) => e.T)) + r.int(5 * MINUTE),
      };
      deliveries.push(batch);
      // The SDK resends a batch it got no answer for, whole or in part (with its own `st`: same clock).
      if (batch.st === 'invalid' || r.chance(0.12)) {
        deliveries.push({ ...batch, st: p.st, nominal: batch.nominal + r.int(DAY) });
      }
      if (r.chance(0.06)) {
        const part = current.filter(() => r.chance(0.5));
        if (part.length > 0) {
          const o = part.find((e) => e.t === 'checkout')?.o ?? null;
          deliveries.push({ ...batch, st: p.st, events: part, chain: o, nominal: batch.nominal + r.int(DAY) });
        }
      }
      current = [];
    };
    for (const e of events) {
      if (e.t === 'checkout' && current.some((x) => x.t === 'checkout')) flush();
      current.push(e);
      if (current.length >= 1 + r.int(10)) flush();
    }
    flush();
  };

  for (const p of profiles) {
    const events: GenEvent[] = [];
    const ev = (fields: Omit<GenEvent, 'id' | 'v'>): GenEvent => {
      const e: GenEvent = { id: id('e'), v: p.v, ...fields };
      if (p.cohort !== undefined && e.h === undefined && (e.t !== 'identify' || r.chance(0.5))) e.h = p.cohort;
      events.push(e);
      return e;
    };
    const sessions = Array.from({ length: 1 + r.int(3) }, randomTime).sort((a, b) => a - b);
    // Now and then a session an offline queue held too long: refused as too old.
    if (r.chance(0.1)) sessions.unshift(now - 30 * DAY - 1 - r.int(2 * DAY));
    const identifyIn = p.identities.map((_, n) => Math.min(sessions.length - 1, n + r.int(2)));
    // Scripted in every site, whatever the dice say: each kind of bad token (the first visitor), and
    // the earliest link opened by two visitors (the second lands after the first: forwarded).
    const scripted: TokenRef[] =
      p === profiles[0]
        ? [
            { kind: 'old', link: 0 },
            { kind: 'foreign', link: r.int(links.length) },
            { kind: 'altered', link: r.int(links.length) },
            { kind: 'garbage', text: '%%%' },
            { kind: 'garbage', text: 'not-a-token' },
            { kind: 'unknown', n: 0 },
          ]
        : [];
    const shared = links.reduce((a, l, n) => (l.issuedAt < links[a]!.issuedAt ? n : a), 0);
    const forwardedAt =
      p === profiles[1] || p === profiles[2] ? sessions.find((t) => t > links[shared]!.issuedAt) : undefined;
    sessions.forEach((sessionStart, index) => {
      const s = id('s-');
      let T = sessionStart;
      const soon = () => {
        T += 1 + r.int(MINUTE);
        return T;
      };
      if (index === 0) for (const token of scripted) ev({ t: 'landing', s, T: soon(), token });
      if (sessionStart === forwardedAt) ev({ t: 'landing', s, T: soon(), token: { kind: 'link', link: shared } });
      const step = () => {
        // Equal milliseconds now and then: ties between interactions are decided by the rules.
        T += r.chance(0.08) ? 0 : 1 + r.int(15 * MINUTE);
        return T;
      };
      if (p.cohort !== undefined) {
        for (const w of r.shuffle(WIDGETS).slice(0, 1 + r.int(2))) ev({ t: 'eligible', s, T: step(), ...w });
      }
      identifyIn.forEach((at, n) => {
        // Identify times are never shared: which customer was linked last must be decidable.
        if (at === index) ev({ t: 'identify', s, T: soon(), cu: p.identities[n]! });
      });
      for (let n = 2 + r.int(7); n > 0; n--) {
        const roll = r.next();
        if (roll < 0.55) {
          const w = r.pick(WIDGETS);
          if (p.cohort === 1) {
            // Held-out visitors are shown nothing: the collector refuses such an event (never sent by the SDK).
            if (r.chance(0.1)) ev({ t: r.pick(['click', 'instance'] as const), s, T: step(), ...w, h: 1 });
            continue;
          }
          ev({ t: 'instance', s, T: step(), ...w });
          if (r.chance(0.4)) ev({ t: 'hover', s, T: step(), ...w });
          if (r.chance(0.4)) ev({ t: 'click', s, T: step(), ...w });
          if (r.chance(0.1)) ev({ t: 'click', s, T: step(), ...w });
          if (r.chance(0.2)) ev({ t: 'dismiss', s, T: step(), ...w });
        } else if (roll < 0.72) {
          const T1 = step();
          ev({ t: 'landing', s, T: T1, token: tokenFor(p, T1) });
        } else if (roll < 0.9) {
          const cur = r.pick(CURRENCIES);
          const o = id('o-');
          const T1 = step();
          ev({ t: 'checkout', s, T: T1, o, cur, val: cur === 'JPY' ? 100 + r.int(9000) : (100 + r.int(20_000)) / 100 });
          orderTimes.push({ o, v: p.v, T: T1 });
        } else if (roll < 0.95) {
          ev({ t: 'drop', s, T: step(), n: 1 + r.int(5) });
        } else {
          // A click exactly at the previous event's time, of another widget.
          ev({ t: 'click', s, T, ...r.pick(WIDGETS) });
        }
      }
    });
    // Interactions on the edge of their window before one of this device's orders (in the final settings).
    for (const order of orderTimes.filter((x) => x.v === p.v)) {
      if (p.cohort === 1 || !r.chance(0.35)) continue;
      const w = r.pick(WIDGETS);
      const edge = windowMs(final, { kind: w.k, ...(w.c ? { campaign: w.c } : {}) });
      const s = id('s-');
      // Exactly one window before (in), or one millisecond more (out), in turn.
      ev({ t: 'click', s, T: order.T - edge - (edges++ % 2), ...w });
      if (r.chance(0.5)) ev({ t: 'click', s, T: order.T, ...r.pick(WIDGETS) });
      // Two interactions in one millisecond shortly before the order: priority, then event id, decides.
      const tie = order.T - 1 - r.int(MINUTE);
      const [a, b] = r.shuffle(WIDGETS);
      if (r.chance(0.5)) ev({ t: 'landing', s, T: tie, token: tokenFor(p, tie) });
      else ev({ t: 'click', s, T: tie, ...WIDGETS.find((x) => x.k === a!.k && x !== a)! });
      ev({ t: 'click', s, T: tie, ...a! });
      if (r.chance(0.3)) ev({ t: 'hover', s, T: tie, ...b!, k: 'notification' });
    }
    batchUp(p, events);
  }

  // The store's reports of SDK checkouts: repeated, reversed, value changes; conflicting and forged checkouts.
  const statusRuns = [
    ['placed'],
    ['placed', 'placed'],
    ['placed', 'refunded'],
    ['placed', 'refunded', 'placed'],
    ['placed', 'cancelled'],
  ];
  const profileOf = new Map(profiles.map((p) => [p.v, p]));
  const otherVisitor = (v: string) => r.pick(visitorIds.filter((x) => x !== v));
  const singleCheckout = (v: string, o: string, T: number, val: number, cur: string, nominal: number) => {
    const p = profileOf.get(v)!;
    deliveries.push({
      kind: 'batch',
      events: [{ id: id('e'), t: 'checkout', v, s: id('s-'), T, o, val, cur }],
      skew: p.skew,
      st: p.st,
      chain: o,
      nominal,
    });
  };
  const sdkOrders = deliveries.flatMap((d) => (d.kind === 'batch' ? d.events.filter((e) => e.t === 'checkout') : []));
  const seen = new Set<string>();
  for (const c of sdkOrders) {
    if (seen.has(c.o!)) continue;
    seen.add(c.o!);
    if (visitorIds.length > 1 && r.chance(0.06)) {
      // Another tab or a forger checks out the same order id before the store reports it.
      singleCheckout(otherVisitor(c.v), c.o!, c.T + r.int(MINUTE), c.val!, c.cur!, c.T + 2 * MINUTE);
    }
    if (!r.chance(0.55)) continue;
    const p = profileOf.get(c.v)!;
    const report: Omit<ServerReport, 'value' | 'status'> = {
      orderId: c.o!,
      currency: c.cur!,
      ...(r.chance(0.7) ? { visitorId: c.v } : {}),
      ...(p.identities.length > 0 && r.chance(0.5) ? { customerId: r.pick(p.identities) } : {}),
    };
    if (r.chance(0.7)) report.ts = { at: r.chance(0.7) ? c.T : c.T + 45 * SECOND, iso: r.chance(0.5) };
    const lower = c.cur === 'JPY' ? Math.round(c.val! * 0.8) : Math.round(c.val! * 80) / 100;
    const values = r.chance(0.3) ? [c.val!, lower, c.val!] : [c.val!];
    const run = r.chance(0.1) ? ['cancelled'] : r.pick(statusRuns);
    const reports = Math.max(run.length, values.length);
    for (let n = 0; n < reports; n++) {
      deliveries.push({
        kind: 'report',
        body: { ...report, value: values[n] ?? values.at(-1)!, status: (run[n] ?? 'placed') as ServerReport['status'] },
        chain: c.o!,
        nominal: c.T + (n + 1) * 10 * MINUTE,
      });
    }
    if (visitorIds.length > 1 && r.chance(0.1)) {
      // A forged checkout of a confirmed order, with an earlier time: changes nothing.
      singleCheckout(otherVisitor(c.v), c.o!, c.T - HOUR, c.val!, c.cur!, c.T + (reports + 1) * 10 * MINUTE);
    }
  }
  // Orders only the store reports: by customer (cross-device), by visitor, both, or neither.
  for (let n = 0; n < size.serverOnlyOrders; n++) {
    const o = id('so-');
    const T = randomTime();
    const cur = r.pick(CURRENCIES);
    const value = cur === 'JPY' ? 500 + r.int(5000) : (500 + r.int(9000)) / 100;
    const who = r.pick(['customer', 'visitor', 'both', 'none'] as const);
    const v = r.pick(profiles);
    const report: ServerReport = {
      orderId: o,
      value,
      currency: cur,
      ...(who === 'visitor' || who === 'both' ? { visitorId: v.v } : {}),
      ...(who === 'customer' || who === 'both' ? { customerId: v.identities[0] ?? r.pick(customers) } : {}),
      // Without `ts` (and no checkout) the order is dated when the store's first report is received.
      ...(who === 'none' && r.chance(0.5) ? {} : { ts: { at: T, iso: r.chance(0.5) } }),
    };
    const run = r.pick(statusRuns);
    run.forEach((status, k) => {
      deliveries.push({
        kind: 'report',
        body: { ...report, status: status as ServerReport['status'] },
        chain: o,
        nominal: T + k * HOUR,
      });
    });
  }
  // Production hours of agents on days of the stream.
  for (const agent of ['ann', 'bob']) {
    const date = new Date(now - (1 + r.int(20)) * DAY).toISOString().slice(0, 10);
    deliveries.push({ kind: 'hours', agent, date, hours: 1 + r.int(8), chain: null, nominal: now - DAY });
  }
  return { links, oldLinks, initial, changes, deliveries };
}

/**
 * A site's deliveries in one arrival order (settings changes at their fraction of it): each
 * order's log keeps its relative order (a log is order-dependent by design: the latest report
 * stands), everything else is free. `sorted`: roughly when it was sent; otherwise shuffled.
 */
export function arrivalOrder(r: Rng, stream: SiteStream, sorted: boolean): Delivery[] {
  const base = [...stream.deliveries];
  const order = sorted ? base.sort((a, b) => a.nominal - b.nominal) : r.shuffle(base);
  // Each chain's deliveries go back into the places the chain occupies, in their canonical order.
  const chains = new Map<string, number[]>();
  order.forEach((d, i) => {
    if (d.chain !== null) chains.set(d.chain, [...(chains.get(d.chain) ?? []), i]);
  });
  const arranged = [...order];
  for (const [chain, places] of chains) {
    const canonical = stream.deliveries.filter((d) => d.chain === chain);
    places.forEach((place, n) => {
      arranged[place] = canonical[n]!;
    });
  }
  const out: Delivery[] = [];
  const settings = stream.changes.map((c) => ({ at: Math.floor(c.at * arranged.length), patch: c.patch }));
  arranged.forEach((d, i) => {
    for (const s of settings) if (s.at === i) out.push({ kind: 'settings', patch: s.patch, chain: null, nominal: 0 });
    out.push(d);
  });
  for (const s of settings) {
    if (s.at >= arranged.length) out.push({ kind: 'settings', patch: s.patch, chain: null, nominal: 0 });
  }
  return out;
}
