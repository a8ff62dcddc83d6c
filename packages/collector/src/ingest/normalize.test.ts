import { LIMITS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { checkoutEvent, landingEvent, widgetEvent } from '../../test/helpers.js';
import { normalizeEvent } from './normalize.js';

const now = Date.UTC(2026, 10, 27, 12);

describe('normalizeEvent', () => {
  it('keeps a client time up to the allowed skew ahead, and clamps beyond it', () => {
    const slightlyAhead = normalizeEvent(widgetEvent({ ts: now + LIMITS.futureSkewMs }), 's', now);
    expect(slightlyAhead).toMatchObject({ ok: true, event: { ts: now + LIMITS.futureSkewMs, receivedAt: now } });
    const farAhead = normalizeEvent(widgetEvent({ ts: now + LIMITS.futureSkewMs + 1 }), 's', now);
    expect(farAhead).toMatchObject({ ok: true, event: { ts: now, clientTs: now + LIMITS.futureSkewMs + 1 } });
  });

  it('stores the path only: a query string or hash never reaches the database', () => {
    for (const p of ['/account?email=a@b.example', '/account#a@b.example', '/account?x=1#y']) {
      expect(normalizeEvent(widgetEvent({ p }), 's', now)).toMatchObject({ ok: true, event: { path: '/account' } });
    }
  });

  it('rejects events older than the maximum age, and keeps those just inside it', () => {
    expect(normalizeEvent(widgetEvent({ ts: now - LIMITS.maxAgeMs - 1 }), 's', now)).toMatchObject({
      ok: false,
      code: 'too_old',
    });
    expect(normalizeEvent(widgetEvent({ ts: now - LIMITS.maxAgeMs }), 's', now)).toMatchObject({
      ok: true,
      event: { ts: now - LIMITS.maxAgeMs },
    });
  });

  it('stores checkout values in minor units and rejects amounts the currency cannot hold', () => {
    expect(normalizeEvent(checkoutEvent({ val: 19.99, cur: 'EUR', ts: now }), 's', now)).toMatchObject({
      ok: true,
      event: { valueMinor: 1999, currency: 'EUR', type: 'checkout' },
    });
    expect(normalizeEvent(checkoutEvent({ val: 1200, cur: 'JPY', ts: now }), 's', now)).toMatchObject({
      ok: true,
      event: { valueMinor: 1200 },
    });
    expect(normalizeEvent(checkoutEvent({ val: 12.5, cur: 'JPY', ts: now }), 's', now)).toMatchObject({
      ok: false,
      code: 'invalid_value',
    });
  });

  it('maps widget and landing fields to columns', () => {
    const widget = widgetEvent({ ts: now, t: 'hover', k: 'notification', w: 'n1', c: 'spring', p: '/shop' });
    expect(normalizeEvent(widget, 'site-1', now)).toEqual({
      ok: true,
      event: {
        siteId: 'site-1',
        eventId: widget.id,
        type: 'hover',
        visitorId: widget.v,
        sessionId: widget.s,
        ts: now,
        clientTs: now,
        receivedAt: now,
        path: '/shop',
        kind: 'notification',
        widgetId: 'n1',
        campaign: 'spring',
        sequence: null,
      },
    });
    expect(normalizeEvent(landingEvent({ ts: now, tk: 'abc.def' }), 's', now)).toMatchObject({
      ok: true,
      event: { type: 'landing', token: 'abc.def' },
    });
  });
});
