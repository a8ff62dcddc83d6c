import { describe, expect, it } from 'vitest';
import { BODY_CHARS, pack } from './pack.js';

const event = (i: number, pad = 0) =>
  JSON.stringify({ k: 'popup', w: 'w', t: 'click', id: `e${i}`, v: 'v', s: 's', ts: 1, p: `/${'é'.repeat(pad)}` });

describe('pack', () => {
  it('is the batch body of as many events as fit, in order, with the send time', () => {
    const events = [event(1), event(2)];
    const [body, count] = pack('ltw_key', events, 5);
    expect(count).toBe(2);
    expect(JSON.parse(body)).toEqual({ k: 'ltw_key', st: 5, e: events.map((e) => JSON.parse(e)) });
  });

  it('never exceeds the byte limit, whatever the characters', () => {
    // 3-byte characters: the worst case per UTF-16 code unit.
    const events = Array.from({ length: 40 }, (_, i) => event(i, 1000));
    const [body, count] = pack('ltw_key', events);
    expect(new Blob([body]).size).toBeLessThanOrEqual(65_536);
    expect(count).toBe(JSON.parse(body).e.length);
    expect(count).toBeLessThan(40);
    expect(body.length).toBeLessThanOrEqual(BODY_CHARS + 512);
    const [next] = pack('ltw_key', events.slice(count));
    expect(JSON.parse(next).e[0].id).toBe(`e${count}`);
  });

  it('holds at most 100 events, and an oversized first event alone', () => {
    expect(
      pack(
        'k',
        Array.from({ length: 150 }, (_, i) => event(i)),
        1,
      )[1],
    ).toBe(100);
    const huge = event(1, BODY_CHARS);
    expect(pack('k', [huge, event(2)])[1]).toBe(1);
  });
});
