import { LIMITS, toMinorUnits, type WireEvent } from '@lasttouch/shared';
import type { IngestEvent } from './event.js';

export type Normalized = { ok: true; event: IngestEvent } | { ok: false; code: string; message: string };

/**
 * A batch's clock offset: receive time minus the client's send time `st`, applied to every
 * event of the batch so the order of a visitor's interactions survives a wrong device clock
 * (and its times line up with server-reported orders). `undefined` when the offset is beyond
 * `LIMITS.maxClockOffsetMs`: such a clock is not believed.
 *
 * @example clockOffset(1_000_000, 999_000) // 1000: the device runs a second slow
 */
export function clockOffset(receivedAt: number, sentAt: number | undefined): number | undefined {
  if (sentAt === undefined) return 0;
  const offset = receivedAt - sentAt;
  return Math.abs(offset) > LIMITS.maxClockOffsetMs ? undefined : offset;
}

const days = (ms: number) => ms / 86_400_000;

/**
 * Turns a validated wire event into the event the consumer stores.
 *
 * Time: `ts + offset` (see `clockOffset`); a corrected time still more than
 * `LIMITS.futureSkewMs` ahead of the receive time (a batch without `st` whose clock runs fast,
 * or an event stamped after its batch was sent) is clamped to the receive time; older than
 * `LIMITS.maxAgeMs` is refused as `too_old`. The client's time is kept in `cts`. Checkout values
 * become integer minor units (`invalid_value` when the currency cannot hold the amount). A
 * held-out visitor's widget events other than `eligible` are refused: held-out visitors are
 * never shown a widget, so they cannot have seen, clicked or hovered one.
 *
 * @example normalizeEvent(wire, 0, Date.now()) // { ok: true, event: { id, t, v, s, ts, cts, ... } }
 */
export function normalizeEvent(wire: WireEvent, offset: number, now: number): Normalized {
  const corrected = wire.ts + offset;
  const ts = corrected > now + LIMITS.futureSkewMs ? now : corrected;
  if (ts < now - LIMITS.maxAgeMs) {
    return {
      ok: false,
      code: 'too_old',
      message: `ts: events older than ${days(LIMITS.maxAgeMs)} days (after clock correction) are not accepted`,
    };
  }
  const event: IngestEvent = { id: wire.id, t: wire.t, v: wire.v, s: wire.s, ts, cts: wire.ts };
  if (wire.h !== undefined) event.h = wire.h;
  switch (wire.t) {
    case 'landing':
      return { ok: true, event: { ...event, tk: wire.tk } };
    case 'checkout': {
      const val = toMinorUnits(wire.val, wire.cur);
      if (val === null) {
        return { ok: false, code: 'invalid_value', message: `val: ${wire.val} is not an amount of ${wire.cur}` };
      }
      return { ok: true, event: { ...event, o: wire.o, val, cur: wire.cur } };
    }
    case 'identify':
      return { ok: true, event: { ...event, cu: wire.cu } };
    case 'drop':
      return { ok: true, event: { ...event, n: wire.n } };
    default: {
      if (wire.h === 1 && wire.t !== 'eligible') {
        return {
          ok: false,
          code: 'held_out',
          message: `t: a held-out visitor is shown no widget, so it sends "eligible", never "${wire.t}"`,
        };
      }
      const widget: IngestEvent = { ...event, k: wire.k, w: wire.w };
      if (wire.c !== undefined) widget.c = wire.c;
      if (wire.q !== undefined) widget.q = wire.q;
      return { ok: true, event: widget };
    }
  }
}
