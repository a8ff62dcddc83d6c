/**
 * Deterministic synthetic traffic for the benchmarks: the same session index always gives the
 * same events, so the bench worker (seeding) and Node (ingest batches) agree without shipping
 * data around. Node or Workers alike: no API of either.
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
  /** Tagged-link tokens a landing session may carry (none: no landings). */
  tokens?: readonly string[];
  /** Prefix of every id, so separate runs against one database never collide. */
  prefix?: string;
}

const DAY = 86_400_000;

/**
 * The events of session `n`, in time order: a landing for 5% of sessions, 3 to 8 widgets shown,
 * some clicked (8%), hovered (15% of notifications) or dismissed (20%), and a checkout for 2%.
 */
export function sessionEvents(n: number, opts: SessionOptions): WireEvent[] {
  const r = rng(n * 2_654_435_761 + 1);
  const prefix = opts.prefix ?? '';
  const v = `${prefix}v${Math.floor(r() * MIX.visitors)}`;
  const s = `${prefix}s${n}`;
  let ts = opts.now - DAY * MIX.days * r() - 3_600_000;
  const out: WireEvent[] = [];
  const base = () => {
    ts += 1_000 + r() * 4_000;
    return { id: `${prefix}e${n}.${out.length}`, v, s, ts: Math.round(ts), p: '/' };
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
    out.push({ ...base(), t: 'instance', ...fields });
    if (w.kind === 'notification' && r() < 0.15) out.push({ ...base(), t: 'hover', ...fields });
    if (r() < 0.08) out.push({ ...base(), t: 'click', ...fields });
    else if (r() < 0.2) out.push({ ...base(), t: 'dismiss', ...fields });
  }
  if (r() < MIX.orderRate) {
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
