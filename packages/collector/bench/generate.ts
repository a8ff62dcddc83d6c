/**
 * Deterministic synthetic traffic for the benchmarks: the same session index always gives the
 * same events, so every bench (HTTP ingest, bulk seeding in Node, the soak) agrees without
 * shipping data around. Node or Workers alike: no API of either.
 */
import type { WidgetKind, WireEvent } from '@lasttouch/shared';
import { seededRandom as rng } from '@lasttouch/shared/testing';

/** The storefront the synthetic traffic comes from: every bench site allows this origin. */
export const SHOP = 'https://shop.example';

/** The mix of issue 7: 200 widgets, 20 campaigns, 50k visitors, 2% of sessions ordering. */
export const MIX = {
  widgets: 200,
  campaigns: 20,
  sequences: 10,
  visitors: 50_000,
  orderRate: 0.02,
  landingRate: 0.05,
  /** Of the ordering sessions, those that log in first (`identify`); two devices per customer. */
  identifyRate: 0.5,
  /** Sessions are spread over this many days before `now` (events older than 30 days are refused). */
  days: 27,
} as const;

export interface Widget {
  kind: WidgetKind;
  id: string;
  campaign?: string;
  sequence?: string;
}

const KINDS: WidgetKind[] = ['popup', 'notification', 'block', 'block', 'notification'];

/** Widget `n` of the mix: a fixed kind, and a campaign for 3 in 4, a sequence for 1 in 4. */
export function widget(n: number): Widget {
  const w: Widget = { kind: KINDS[n % KINDS.length] as WidgetKind, id: `w${n}` };
  if (n % 4 !== 3) w.campaign = `c${n % MIX.campaigns}`;
  if (n % 4 === 1) w.sequence = `q${n % MIX.sequences}`;
  return w;
}

export interface SessionOptions {
  /** The reference time: sessions end before it. */
  now: number;
  /**
   * Where sessions start, UTC ms `[from, to)`, uniformly at random. Default: the `MIX.days` days
   * before `now` minus an hour (a store's history); live traffic passes the last minutes.
   */
  window?: { from: number; to: number };
  /** Tagged-link tokens a landing session may carry (none: no landings). */
  tokens?: readonly string[];
  /** Prefix of every id, so separate runs against one database never collide. */
  prefix?: string;
  /**
   * A holdout runs (`data-holdout`, as a fraction): every widget shown is first reported
   * `eligible` with the visitor's cohort, and held-out visitors send nothing else about widgets.
   */
  holdout?: number;
  /** Visitors are drawn from this many (default `MIX.visitors`). */
  visitors?: number;
}

const DAY = 86_400_000;

/**
 * Ids as long as the SDK's (20 characters): what a row stores weighs what it will in production.
 * The short, readable id stays in front, so ids stay distinct.
 */
const sdkLength = (id: string): string => (id.length >= 20 ? id : `${id}_${'x'.repeat(19 - id.length)}`);

/**
 * The events of session `n`, in time order: a landing for 5% of sessions, 3 to 8 widgets shown,
 * some clicked (8%), hovered (15% of notifications) or dismissed (20%), and a checkout for 2%
 * (half of them after an `identify`).
 */
export function sessionEvents(n: number, opts: SessionOptions): WireEvent[] {
  const r = rng(n * 2_654_435_761 + 1);
  const prefix = opts.prefix ?? '';
  const visitor = Math.floor(r() * (opts.visitors ?? MIX.visitors));
  const v = sdkLength(`${prefix}v${visitor}`);
  const s = sdkLength(`${prefix}s${n}`);
  const window = opts.window ?? { from: opts.now - DAY * MIX.days - 3_600_000, to: opts.now - 3_600_000 };
  let ts = window.from + (window.to - window.from) * r();
  const heldOut = opts.holdout !== undefined && rng(visitor + 7)() < opts.holdout;
  const cohort = opts.holdout !== undefined ? { h: heldOut ? (1 as const) : (0 as const) } : {};
  const out: WireEvent[] = [];
  const base = () => {
    ts += 1_000 + r() * 4_000;
    return { id: sdkLength(`${prefix}e${n}.${out.length}`), v, s, ts: Math.round(ts), p: '/', ...cohort };
  };
  if (opts.tokens?.length && r() < MIX.landingRate) {
    out.push({ ...base(), t: 'landing', tk: opts.tokens[Math.floor(r() * opts.tokens.length)] as string });
  }
  const shown = 3 + Math.floor(r() * 6);
  for (let i = 0; i < shown; i++) {
    const w = widget(Math.floor(r() * MIX.widgets));
    const fields = {
      k: w.kind,
      w: w.id,
      ...(w.campaign ? { c: w.campaign } : {}),
      ...(w.sequence ? { q: w.sequence } : {}),
    };
    const hover = w.kind === 'notification' && r() < 0.15;
    const click = r() < 0.08;
    const dismiss = !click && r() < 0.2;
    if (opts.holdout !== undefined) out.push({ ...base(), t: 'eligible', ...fields });
    if (heldOut) continue;
    out.push({ ...base(), t: 'instance', ...fields });
    if (hover) out.push({ ...base(), t: 'hover', ...fields });
    if (click) out.push({ ...base(), t: 'click', ...fields });
    else if (dismiss) out.push({ ...base(), t: 'dismiss', ...fields });
  }
  if (r() < MIX.orderRate) {
    if (r() < MIX.identifyRate) out.push({ ...base(), t: 'identify', cu: `${prefix}customer${visitor >> 1}` });
    const val = Math.round(1_000 + r() * 19_000) / 100;
    out.push({ ...base(), t: 'checkout', o: `${prefix}o${n}`, val, cur: r() < 0.9 ? 'EUR' : 'USD' });
  }
  return out;
}

/** Every event of sessions `[from, to)`. */
export function sessionsEvents(from: number, to: number, opts: SessionOptions): WireEvent[] {
  const out: WireEvent[] = [];
  for (let n = from; n < to; n++) out.push(...sessionEvents(n, opts));
  return out;
}

/** Events per session of the mix, counted over a sample (the generator is deterministic). */
export function eventsPerSession(opts: SessionOptions, sample = 2_000): number {
  let events = 0;
  for (let n = 0; n < sample; n++) events += sessionEvents(n, opts).length;
  return events / sample;
}
