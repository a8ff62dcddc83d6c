import { LIMITS, toMinorUnits, type WireEvent } from '@lasttouch/shared';
import type { StoredEvent } from './types.js';

export type Normalized = { ok: true; event: StoredEvent } | { ok: false; code: string; message: string };

/**
 * Turns a validated wire event into the row to store, with the server's receive time beside
 * the client's.
 *
 * Time rule: the effective time `ts` is the client time, except that a client clock more than
 * `LIMITS.futureSkewMs` (5 min) ahead of the receive time is clamped to the receive time (the
 * client time stays in `clientTs`); an event older than `LIMITS.maxAgeMs` (30 days) is rejected
 * as `too_old`, since no SDK queue keeps events that long. Checkout values become integer minor
 * units; an amount the currency cannot hold (12.345 EUR) is rejected as `invalid_value`. Paths
 * are cut at `?` or `#`.
 *
 * @example normalizeEvent(wire, 'site-1', Date.now()) // { ok: true, event: { siteId: 'site-1', ... } }
 */
/** The wire's `p` is a pathname; a query or hash from another sender can carry personal data. */
const pathOnly = (path: string): string => path.replace(/[?#].*$/s, '');

export function normalizeEvent(wire: WireEvent, siteId: string, now: number): Normalized {
  if (wire.ts < now - LIMITS.maxAgeMs) {
    return {
      ok: false,
      code: 'too_old',
      message: `ts: events older than ${LIMITS.maxAgeMs / 86_400_000} days are not accepted`,
    };
  }
  const event: StoredEvent = {
    siteId,
    eventId: wire.id,
    type: wire.t,
    visitorId: wire.v,
    sessionId: wire.s,
    ts: wire.ts > now + LIMITS.futureSkewMs ? now : wire.ts,
    clientTs: wire.ts,
    receivedAt: now,
    path: pathOnly(wire.p),
  };
  if (wire.t === 'landing') return { ok: true, event: { ...event, token: wire.tk } };
  if (wire.t === 'checkout') {
    const valueMinor = toMinorUnits(wire.val, wire.cur);
    if (valueMinor === null) {
      return { ok: false, code: 'invalid_value', message: `val: ${wire.val} is not an amount of ${wire.cur}` };
    }
    return { ok: true, event: { ...event, orderId: wire.o, valueMinor, currency: wire.cur } };
  }
  // The clear customer id never reaches storage.
  if (wire.t === 'identify' || wire.t === 'drop') return { ok: true, event };
  return {
    ok: true,
    event: { ...event, kind: wire.k, widgetId: wire.w, campaign: wire.c ?? null, sequence: wire.q ?? null },
  };
}
