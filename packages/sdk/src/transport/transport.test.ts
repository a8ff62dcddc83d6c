import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accepted, mockFetch, reset, track } from '../../test/dom.js';
import type { Store } from '../identity/storage.js';
import type { Tracker } from '../types.js';
import { createTransport, FLUSH_AT, FLUSH_MS, MAX_QUEUE } from './transport.js';

const widget = { kind: 'popup', id: 'spring-sale' } as const;
const stored = () => JSON.parse(localStorage.lt_q ?? '[]') as { id: string; w?: string; ts: number }[];
const names = () => stored().map((e) => e.w);
const failing =
  (status: number, headers: Record<string, string> = {}) =>
  () =>
    new Response('{"error":{"code":"x","message":"x"}}', { status, headers });

beforeEach(() => {
  reset();
  vi.useFakeTimers();
});
afterEach(() => reset());

describe('batching', () => {
  it('sends one text/plain batch after a short timer to {api}/v1/events', async () => {
    const net = mockFetch();
    const t = track();
    t.click(widget);
    t.hover(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS - 1);
    expect(net.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.sent).toHaveLength(1);
    const [url, init] = net.fetch.mock.calls[0]!;
    expect(url).toBe('https://collector.test/v1/events');
    // A string body is sent as text/plain: a simple request, no CORS preflight.
    expect(typeof init.body).toBe('string');
    expect(init.headers).toBeUndefined();
    expect(init.keepalive).toBe(true);
    const { k, st, e } = net.sent[0]!.body;
    expect(k).toBe('ltw_test');
    expect(st).toBe(Date.now());
    expect(e.map((x) => x.t)).toEqual(['click', 'hover']);
    expect(new Set(e.map((x) => x.id)).size).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(stored()).toEqual([]);
  });

  it(`sends at once when ${FLUSH_AT} events wait, and on flush()`, async () => {
    const net = mockFetch();
    const t = track();
    for (let i = 0; i < FLUSH_AT; i++) t.click(widget);
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]!.body.e).toHaveLength(FLUSH_AT);
    t.dismiss(widget);
    t.flush();
    expect(net.sent).toHaveLength(2);
  });
});

describe('retries', () => {
  it.each([500, 503, 429])('retries %i with the same event ids, after Retry-After', async (status) => {
    const net = mockFetch((n) => (n === 0 ? failing(status, { 'Retry-After': '7' })() : accepted()));
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(net.sent).toHaveLength(1);
    t.hover(widget); // waits for the backoff too
    await vi.advanceTimersByTimeAsync(6999);
    expect(net.sent).toHaveLength(1);
    expect(stored()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.sent).toHaveLength(2);
    expect(net.sent[1]!.body.e.map((e) => e.id)).toEqual([net.sent[0]!.body.e[0]!.id, expect.any(String)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(stored()).toEqual([]);
  });

  it('retries network errors with growing backoff', async () => {
    const net = mockFetch((n) => (n < 3 ? Promise.reject(new TypeError('offline')) : accepted()));
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    const times = [Date.now()];
    for (const wait of [1000, 2000, 4000]) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(net.sent).toHaveLength(times.length);
      await vi.advanceTimersByTimeAsync(1);
      times.push(Date.now());
    }
    expect(net.sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(stored()).toEqual([]);
  });

  it.each([400, 401, 403, 413])('drops a batch answered %i without retrying', async (status) => {
    const net = mockFetch(failing(status));
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.sent).toHaveLength(1);
    expect(stored()).toEqual([]);
  });

  it('drops per-event rejections of a 202 instead of retrying them', async () => {
    const net = mockFetch(() =>
      accepted({ accepted: 1, duplicates: 0, rejected: [{ index: 1, code: 'invalid_event', message: 'w: too long' }] }),
    );
    const t = track();
    t.click(widget);
    t.click({ kind: 'popup', id: 'x'.repeat(500) });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.sent).toHaveLength(1);
    expect(stored()).toEqual([]);
  });
});

describe('persistence', () => {
  it('keeps unsent events in localStorage and sends them on the next page load', async () => {
    mockFetch(() => Promise.reject(new TypeError('offline')));
    const first = track();
    first.click(widget);
    first.checkout({ orderId: '1001', value: 12.5, currency: 'EUR' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    const queue = localStorage.lt_q as string;
    expect(JSON.parse(queue)).toHaveLength(2);

    // Reload: the page goes away (its tracker withdrawn here), storage survives.
    reset();
    vi.useFakeTimers();
    localStorage.lt_q = queue;
    const net = mockFetch();
    track();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]!.body.e).toEqual(JSON.parse(queue));
    expect(stored()).toEqual([]);
  });

  it(`keeps at most ${MAX_QUEUE} events, dropping the oldest and saying so in debug output`, async () => {
    mockFetch(failing(503, { 'Retry-After': '600' }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const t = track({ debug: true });
    const first = Array.from({ length: MAX_QUEUE + 5 }, (_, i) => {
      t.click({ kind: 'block', id: `b${i}` });
      vi.advanceTimersByTime(1); // events of one millisecond are ordered by id
      return `b${i}`;
    });
    await vi.advanceTimersByTimeAsync(0);
    const queue = JSON.parse(localStorage.lt_q) as { w: string }[];
    expect(queue.map((e) => e.w)).toEqual(first.slice(5));
    expect(log).toHaveBeenCalledWith('[lasttouch]', 'queue full: dropped', 5, 'oldest events so far');
  });
});

describe('coalesced saving', () => {
  /** A store counting its writes of the queue. */
  function counting() {
    const writes: string[] = [];
    const store = new Proxy({} as Store, {
      set(target, key: string, value: string) {
        if (key === 'lt_q') writes.push(value);
        target[key] = value;
        return true;
      },
    });
    return { store, writes };
  }
  const event = (i: number) =>
    ({ id: `e${i}`, t: 'click', v: 'v', s: 's', ts: i, p: '/', k: 'popup', w: `w${i}` }) as const;

  it('writes the stored queue once for a burst of events in one task', async () => {
    mockFetch(() => Promise.reject(new TypeError('offline')));
    const { store, writes } = counting();
    // Not started: its page listeners would outlive the test.
    const [, push] = createTransport('https://collector.test/v1/events', 'ltw_test', store);
    for (let i = 0; i < FLUSH_AT - 1; i++) push(event(i));
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]!)).toHaveLength(FLUSH_AT - 1);
    // The next task's events make the next write.
    push(event(FLUSH_AT));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[1]!)).toHaveLength(FLUSH_AT);
  });

  it('saves before sending, so a full batch is stored while in flight', () => {
    const net = mockFetch(() => new Promise<Response>(() => {}));
    const { store, writes } = counting();
    const [, push] = createTransport('https://collector.test/v1/events', 'ltw_test', store);
    for (let i = 0; i < FLUSH_AT; i++) push(event(i));
    expect(net.sent).toHaveLength(1);
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]!)).toHaveLength(FLUSH_AT);
  });

  it.each([
    ['pagehide', () => dispatchEvent(new Event('pagehide'))],
    [
      'visibilitychange to hidden',
      () => {
        Object.defineProperty(document, 'hidden', { value: true, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
        Object.defineProperty(document, 'hidden', { value: false, configurable: true });
      },
    ],
  ])('persists an event at once on %s right after it, even when the beacon is refused', (_, hide) => {
    mockFetch();
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(false);
    const t = track();
    t.click(widget);
    expect(localStorage.lt_q).toBeUndefined();
    hide();
    expect(beacon).toHaveBeenCalledTimes(1);
    expect(names()).toEqual(['spring-sale']);
  });

  it('persists on flush() before sending', () => {
    mockFetch(() => new Promise<Response>(() => {}));
    const t = track();
    t.click(widget);
    t.flush();
    expect(names()).toEqual(['spring-sale']);
  });
});

describe('unload', () => {
  /** 60 events of about 1.1 KB, held back by a long backoff. */
  async function heldBack() {
    mockFetch(failing(503, { 'Retry-After': '600' }));
    history.replaceState(null, '', `/${'a'.repeat(1000)}`);
    const t = track();
    for (let i = 0; i < 60; i++) t.click({ kind: 'block', id: `b${i}` });
    await vi.advanceTimersByTimeAsync(0);
    return t;
  }

  it('beacons on pagehide within one 64 KiB budget, splitting batches; the rest stays stored', async () => {
    await heldBack();
    const beacons: string[] = [];
    vi.spyOn(navigator, 'sendBeacon').mockImplementation((url, body) => {
      expect(url).toBe('https://collector.test/v1/events');
      beacons.push(body as string);
      return true;
    });
    dispatchEvent(new Event('pagehide'));
    const sizes = beacons.map((b) => new Blob([b]).size);
    expect(beacons.length).toBeGreaterThan(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(65_536);
    const beaconed = beacons.flatMap((b) => JSON.parse(b).e.map((e: { w: string }) => e.w));
    expect(beaconed).toEqual(Array.from({ length: beaconed.length }, (_, i) => `b${i}`));
    expect(beaconed.length).toBeGreaterThan(50);
    expect(beaconed.length).toBeLessThan(60);
    // Nothing is beaconed twice, and a second hide shares the budget with the first.
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    dispatchEvent(new Event('pagehide'));
    expect(beacons.length).toBe(sizes.length);
    // Everything stays stored until a confirmed send.
    expect(stored()).toHaveLength(60);
    // Visible again, the budget is free for what is left.
    Object.defineProperty(document, 'hidden', { value: false, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    dispatchEvent(new Event('pagehide'));
    expect(beacons.flatMap((b) => JSON.parse(b).e)).toHaveLength(60);
  });

  it('splits into several beacons when one batch would hold over 100 events', async () => {
    mockFetch(failing(503, { 'Retry-After': '600' }));
    const t = track();
    for (let i = 0; i < 150; i++) t.click({ kind: 'block', id: `b${i}` });
    await vi.advanceTimersByTimeAsync(0);
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    Object.defineProperty(document, 'hidden', { value: false, configurable: true });
    expect(beacon.mock.calls.map(([, body]) => JSON.parse(body as string).e.length)).toEqual([100, 50]);
  });

  it('keeps events a refused beacon (false) could not take, for the next load', async () => {
    await heldBack();
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(false);
    dispatchEvent(new Event('pagehide'));
    expect(beacon).toHaveBeenCalledTimes(1);
    expect(stored()).toHaveLength(60);
  });

  it('leaves room for keepalive fetches still in flight', async () => {
    let answer: (r: Response) => void = () => {};
    const net = mockFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    history.replaceState(null, '', `/${'a'.repeat(1000)}`);
    const t = track();
    for (let i = 0; i < FLUSH_AT; i++) t.click({ kind: 'block', id: `f${i}` }); // one keepalive fetch
    const fetched = new Blob([JSON.stringify(net.sent[0]!.body)]).size;
    expect(net.sent[0]!.keepalive).toBe(true);
    for (let i = 0; i < FLUSH_AT - 1; i++) t.click({ kind: 'block', id: `b${i}${'x'.repeat(2000)}` });
    const beacons: string[] = [];
    vi.spyOn(navigator, 'sendBeacon').mockImplementation((_, body) => beacons.push(body as string) > 0);
    dispatchEvent(new Event('pagehide'));
    const beaconBytes = beacons.reduce((n, b) => n + new Blob([b]).size, 0);
    expect(beaconBytes).toBeLessThanOrEqual(65_536 - fetched);
    expect(beaconBytes).toBeGreaterThan(65_536 - fetched - 3500);
    answer(accepted());
  });
});

describe('several tabs sharing one stored queue', () => {
  /** Two trackers on one localStorage, each with its own memory: two tabs of one browser. */
  function tabs() {
    let online = false;
    const net = mockFetch(() => (online ? accepted() : Promise.reject(new TypeError('offline'))));
    return { net, a: track(), b: track(), online: () => (online = true) };
  }
  /** A click a millisecond after the previous one: the stored queue is ordered by time. */
  const click = (tab: Tracker, id: string) => {
    tab.click({ kind: 'block', id });
    vi.advanceTimersByTime(1);
  };
  const ids = (sent: { body: { e: Record<string, unknown>[] } }[]) => sent.flatMap((s) => s.body.e.map((e) => e.w));

  it("keeps the events tab A queued through tab B's writes, and empties the store once both sent", async () => {
    const { net, a, b, online } = tabs();
    online();
    click(a, 'a1');
    click(b, 'b1');
    click(a, 'a2');
    click(b, 'b2');
    expect(names()).toEqual(['a1', 'b1', 'a2', 'b2']);
    // Tab B confirms its events first: tab A's stay stored.
    b.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(ids(net.sent)).toEqual(['b1', 'b2']);
    expect(names()).toEqual(['a1', 'a2']);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(ids(net.sent)).toEqual(['b1', 'b2', 'a1', 'a2']);
    expect(stored()).toEqual([]);
  });

  it("keeps both tabs' events while the collector is unreachable, and sends each once it is back", async () => {
    const { net, a, b, online } = tabs();
    click(a, 'a1');
    click(b, 'b1');
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    click(a, 'a2');
    click(b, 'b2');
    expect(names()).toEqual(['a1', 'b1', 'a2', 'b2']);
    online();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stored()).toEqual([]);
    expect(ids(net.sent.slice(-2)).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('puts back events a racing write of another tab left out', async () => {
    const { a, b } = tabs();
    click(a, 'a1');
    click(b, 'b1');
    // Tab B wrote from a stale read, without a1, as a browser can between processes.
    const stale = JSON.stringify(stored().filter((e) => e.w === 'b1'));
    localStorage.lt_q = stale;
    dispatchEvent(new StorageEvent('storage', { key: 'lt_q', newValue: stale }));
    expect(names().sort()).toEqual(['a1', 'b1']);
  });

  it(`holds at most ${MAX_QUEUE} events across tabs, the oldest dropped`, async () => {
    const { a, b } = tabs();
    const order: string[] = [];
    for (let i = 0; i < MAX_QUEUE; i++) {
      for (const [tab, name] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        click(tab, `${name}${i}`);
        order.push(`${name}${i}`);
      }
    }
    expect(names()).toEqual(order.slice(-MAX_QUEUE));
  });

  it('a tab that loads while another has unsent events sends them too: duplicates, deduped by id', async () => {
    const { net, a, online } = tabs();
    click(a, 'a1');
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    online();
    track();
    await vi.advanceTimersByTimeAsync(60_000);
    const sent = net.sent.flatMap((s) => s.body.e.map((e) => e.id));
    expect(new Set(sent).size).toBe(1);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(stored()).toEqual([]);
  });
});
