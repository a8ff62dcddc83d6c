import { describe, expect, it } from 'vitest';
import { batchEnvelope, validateEvent } from './events.js';

const base = { id: 'e1', v: 'visitor-1', s: 'session-1', ts: 1_700_000_000_000, p: '/' };

describe('validateEvent', () => {
  it('accepts each event type with its own fields', () => {
    expect(validateEvent({ ...base, t: 'click', k: 'popup', w: 'spring-sale', c: 'spring' }).ok).toBe(true);
    expect(validateEvent({ ...base, t: 'landing', tk: 'AbC_-1.x' }).ok).toBe(true);
    expect(validateEvent({ ...base, t: 'checkout', o: 'order-1', val: 12.5, cur: 'EUR' }).ok).toBe(true);
  });

  it('names the field and the reason when an event is invalid', () => {
    const result = validateEvent({ ...base, t: 'click', k: 'banner', w: 'x' });
    expect(result).toMatchObject({ ok: false, code: 'invalid_event' });
    expect(!result.ok && result.message).toMatch(/^k:/);
  });

  it('rejects unknown types, unknown fields and prototype keys', () => {
    expect(validateEvent({ ...base, t: 'purchase' })).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(validateEvent({ ...base, t: '__proto__' })).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(validateEvent(null)).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(validateEvent({ ...base, t: 'click', k: 'popup', w: 'x', extra: 1 }).ok).toBe(false);
  });

  it('rejects ids with markup, control characters in labels and bad money', () => {
    expect(validateEvent({ ...base, id: '<script>', t: 'click', k: 'popup', w: 'x' }).ok).toBe(false);
    expect(validateEvent({ ...base, t: 'click', k: 'popup', w: 'a\u0000b' }).ok).toBe(false);
    expect(validateEvent({ ...base, t: 'checkout', o: 'o', val: -1, cur: 'EUR' }).ok).toBe(false);
    expect(validateEvent({ ...base, t: 'checkout', o: 'o', val: 1, cur: 'eur' }).ok).toBe(false);
    expect(validateEvent({ ...base, ts: 1.5, t: 'click', k: 'popup', w: 'x' }).ok).toBe(false);
  });
});

describe('batchEnvelope', () => {
  it('bounds the number of events', () => {
    expect(batchEnvelope.safeParse({ k: 'ltw_x', e: [] }).success).toBe(false);
    expect(batchEnvelope.safeParse({ k: 'ltw_x', e: new Array(101).fill({}) }).success).toBe(false);
    expect(batchEnvelope.safeParse({ k: 'ltw_x', e: [{}] }).success).toBe(true);
  });
});

describe('unicode', () => {
  it('refuses a lone surrogate, keeps real pairs and other scripts', () => {
    expect(validateEvent({ ...base, t: 'click', k: 'popup', w: 'a\ud83db' }).ok).toBe(false);
    expect(validateEvent({ ...base, t: 'click', k: 'popup', w: 'x', p: '/\udc00' }).ok).toBe(false);
    expect(validateEvent({ ...base, t: 'click', k: 'popup', w: 'sale 🎉 ünï 日本' }).ok).toBe(true);
  });
});
