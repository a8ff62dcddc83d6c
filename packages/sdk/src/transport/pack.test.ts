import { describe, expect, it } from 'vitest';
import { byteLength, pack } from './pack.js';

const event = (i: number, pad = 0) =>
  ({ id: `e${i}`, t: 'click', v: 'v', s: 's', ts: 1, p: `/${'é'.repeat(pad)}`, k: 'popup', w: 'w' }) as const;

describe('pack', () => {
  it('is the batch body of as many events as fit, in order', () => {
    const events = [event(1), event(2)];
    const [body, count] = pack('ltw_key', events, 65_536, 5);
    expect(count).toBe(2);
    expect(JSON.parse(body)).toEqual({ k: 'ltw_key', st: 5, e: events });
  });

  it('never exceeds the byte limit, counting multi-byte characters as bytes', () => {
    const events = Array.from({ length: 40 }, (_, i) => event(i, 1000));
    const [body, count] = pack('ltw_key', events, 65_536);
    expect(byteLength(body)).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeLessThan(65_536 / 1.5);
    expect(count).toBe(JSON.parse(body).e.length);
    expect(count).toBeLessThan(40);
    const [next] = pack('ltw_key', events.slice(count - 1), 65_536);
    expect(JSON.parse(next).e[0].id).toBe(`e${count - 1}`);
  });

  it('measures lone surrogates as JSON escapes them, without throwing', () => {
    const [body, count] = pack('k', [{ ...event(1), w: '\ud800' }], 65_536);
    expect(count).toBe(1);
    expect(byteLength(body)).toBe(new Blob([body]).size);
    expect(byteLength('é€😀')).toBe(9);
  });

  it('holds at most 100 events and nothing when the first does not fit', () => {
    expect(
      pack(
        'k',
        Array.from({ length: 150 }, (_, i) => event(i)),
        1e9,
      )[1],
    ).toBe(100);
    expect(pack('k', [event(1, 100)], 100)[1]).toBe(0);
  });
});
