import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accepted, mockFetch, pageTransition, reset, track } from '../../test/dom.js';
import type { Store } from '../store.js';
import { createTransport, FLUSH_MS, MAX_QUEUE, QUEUE, STALE_MS } from './transport.js';

const widget = { kind: 'popup', id: 'spring-sale' } as const;
const queueKeys = () => Object.keys(localStorage).filter((k) => k.startsWith(QUEUE));
/** Every stored event, whichever page stored it. */
const stored = () =>
  queueKeys().flatMap((k) =>
    (JSON.parse(localStorage[k]) as unknown[]).slice(1).map((json) => JSON.parse(json as string)),
  ) as Record<string, unknown>[];
const names = () => stored().map((e) => e.w ?? e.t);
const failing =
  (status: number, headers: Record<string, string> = {}) =>
  () =>
    new Response('{"error":{"code":"x","message":"x"}}', { status, headers });
const offline = () => Promise.reject(new TypeError('Failed to fetch'));

const pagehide = (persisted = false) => pageTransition('pagehide', persisted);
const pageshow = () => pageTransition('pageshow', true);
const visibility = (hidden: boolean) => {
  Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};

beforeEach(() => {
  reset();
  vi.useFakeTimers();
});
afterEach(() => {
  Object.defineProperty(document, 'hidden', { value: false, configurable: true });
  reset();
});

describe('batching', () => {
  it('sends one text/plain batch, stamped with its send time, as a keepalive fetch after a short timer', async () => {
    const net = mockFetch();
    const t = track();
    // Past the start-up task, which sends at once what earlier pages left.
    await vi.advanceTimersByTimeAsync(0);
    t.click(widget);
    t.hover(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS - 1);
    expect(net.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.sent).toHaveLength(1);
    const [url, init] = net.fetch.mock.calls[0]!;
    expect(String(url)).toBe('https://collector.test/v1/events');
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
    expect(queueKeys()).toEqual([]);
  });

  it('sends at once on flush()', () => {
    const net = mockFetch();
    const t = track();
    t.dismiss(widget);
    t.flush();
    expect(net.sent).toHaveLength(1);
  });

  it('writes storage once per flush, never per event', async () => {
    mockFetch(offline);
    const writes: string[] = [];
    const store = new Proxy({} as Store, {
      set(target, key: string, value: string) {
        writes.push(key);
        target[key] = value;
        return true;
      },
    });
    let flushes = 0;
    const [, push] = createTransport(new URL('https://collector.test/v1/events'), 'ltw_test', store, () => flushes++);
    for (let i = 0; i < 150; i++) push(`{"k":"popup","w":"w${i}"}`);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(flushes).toBe(1);
    expect(writes).toHaveLength(1);
    expect(JSON.parse(Object.values(store)[0]!)).toHaveLength(151);
  });
});

describe('retries', () => {
  it.each([500, 503, 429])('retries %i with the same event ids, after Retry-After', async (status) => {
    const net = mockFetch((n) => (n === 0 ? failing(status, { 'Retry-After': '7' })() : accepted()));
    const t = track();
    // Past the start-up task, which sends at once what earlier pages left.
    await vi.advanceTimersByTimeAsync(0);
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
    expect(queueKeys()).toEqual([]);
  });

  it('retries network errors with growing backoff', async () => {
    const net = mockFetch((n) => (n < 3 ? offline() : accepted()));
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const t = track();
    // Past the start-up task, which sends at once what earlier pages left.
    await vi.advanceTimersByTimeAsync(0);
    t.click(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    for (const [i, wait] of [1000, 2000, 4000].entries()) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(net.sent).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(net.sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(queueKeys()).toEqual([]);
  });

  it.each([400, 401, 403, 413])('drops a batch answered %i without retrying', async (status) => {
    const net = mockFetch(failing(status));
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.sent).toHaveLength(1);
    expect(queueKeys()).toEqual([]);
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
    expect(queueKeys()).toEqual([]);
  });

  it('retries a keepalive fetch lost while the page was hidden, from the same page', async () => {
    const net = mockFetch((n) => (n === 0 ? offline() : accepted()));
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const t = track();
    t.click(widget);
    visibility(true);
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]!.keepalive).toBe(true);
    visibility(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.sent).toHaveLength(2);
    expect(net.sent[1]!.body.e[0]!.id).toBe(net.sent[0]!.body.e[0]!.id);
    await vi.advanceTimersByTimeAsync(0);
    expect(queueKeys()).toEqual([]);
  });
});

describe('a full queue', () => {
  it(`keeps ${MAX_QUEUE} events: widget events give way, oldest first; checkouts, landings and identities stay; the drop count is reported`, async () => {
    let online = false;
    const net = mockFetch(() => (online ? accepted() : failing(503, { 'Retry-After': '60' })()));
    history.replaceState(null, '', '/?lt_c=tok');
    const t = track();
    t.checkout({ orderId: 'o1', value: 1, currency: 'EUR' });
    t.identify('customer-1');
    const clicks = Array.from({ length: MAX_QUEUE + 50 }, (_, i) => {
      t.click({ kind: 'block', id: `b${i}` });
      return `b${i}`;
    });
    t.checkout({ orderId: 'o2', value: 2, currency: 'EUR' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    // 254 events for 200 places: the count goes with the first send (which failed).
    const kept = names();
    expect(kept).toHaveLength(MAX_QUEUE);
    expect(kept.slice(0, 3)).toEqual(['landing', 'checkout', 'identify']);
    expect(kept.slice(-2)).toEqual(['checkout', 'drop']);
    expect(kept.slice(3, -2)).toEqual(clicks.slice(-(MAX_QUEUE - 5)));
    expect(stored().at(-1)).toMatchObject({ t: 'drop', n: 54 });
    online = true;
    const failed = net.sent.length;
    await vi.advanceTimersByTimeAsync(60_000);
    const events = net.sent.slice(failed).flatMap((s) => s.body.e);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // Each drop event may push one more click out, reported with the next send: every event
    // made is delivered or counted dropped, never both.
    const drops = events.filter((e) => e.t === 'drop').map((e) => e.n as number);
    expect(drops[0]).toBe(54);
    expect(events.filter((e) => e.t !== 'drop').length + drops.reduce((a, b) => a + b)).toBe(254);
    expect(events.filter((e) => e.t === 'checkout').map((e) => e.o)).toEqual(['o1', 'o2']);
    await vi.advanceTimersByTimeAsync(0);
    expect(queueKeys()).toEqual([]);
  });
});

describe('pages and tabs', () => {
  it('stores unsent events under its own key; once the page is gone the next page sends them', async () => {
    mockFetch(offline);
    const first = track();
    first.click(widget);
    first.checkout({ orderId: '1001', value: 12.5, currency: 'EUR' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(queueKeys()).toHaveLength(1);
    const events = stored();
    expect(events.map((e) => e.t)).toEqual(['click', 'checkout']);
    pagehide();
    expect(JSON.parse(localStorage[queueKeys()[0]!])[0]).toBe(0);
    const net = mockFetch();
    track();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.events()).toEqual(events);
    expect(queueKeys()).toEqual([]);
  });

  it('takes over the queue of a page gone without pagehide (crashed) once it is stale', async () => {
    mockFetch(offline);
    track().click(widget);
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    const net = mockFetch();
    track();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.sent).toEqual([]);
    vi.setSystemTime(Date.now() + STALE_MS);
    track();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.events().map((e) => e.w)).toEqual(['spring-sale']);
  });

  it('two busy tabs send each event once and leave nothing stored', async () => {
    const net = mockFetch();
    const [a, b] = [track(), track()];
    for (let i = 0; i < 30; i++) {
      a.click({ kind: 'block', id: `a${i}` });
      b.click({ kind: 'block', id: `b${i}` });
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    const ids = net.events().map((e) => e.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(queueKeys()).toEqual([]);
  });

  it("keeps both tabs' events while the collector is unreachable, and sends each once it is back", async () => {
    let online = false;
    const net = mockFetch(() => (online ? accepted() : offline()));
    const [a, b] = [track(), track()];
    // Longest jitter, once the pages have their own random keys.
    vi.spyOn(Math, 'random').mockReturnValue(1);
    a.click({ kind: 'block', id: 'a1' });
    b.click({ kind: 'block', id: 'b1' });
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(names().sort()).toEqual(['a1', 'b1']);
    expect(queueKeys()).toHaveLength(2);
    online = true;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(queueKeys()).toEqual([]);
    const delivered = net.sent.slice(-2).flatMap((s) => s.body.e.map((e) => e.w));
    expect(delivered.sort()).toEqual(['a1', 'b1']);
  });

  it('on pagehide, sends what is unsent and marks its queue gone; the next page sends it again', async () => {
    const net = mockFetch(() => new Promise<Response>(() => {}));
    const t = track();
    t.click(widget);
    pagehide();
    // Browsers fire visibilitychange after pagehide: the queue stays marked gone.
    visibility(true);
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]!.keepalive).toBe(true);
    const [alive, json] = JSON.parse(localStorage[queueKeys()[0]!]);
    expect(alive).toBe(0);
    const next = mockFetch();
    track();
    await vi.advanceTimersByTimeAsync(0);
    // Sent twice: the collector dedupes by id.
    expect(next.events()).toEqual([JSON.parse(json)]);
  });

  it('restored from the back/forward cache, the page takes its queue back: what failed meanwhile it sends again', async () => {
    let answer = (_: Response) => {};
    const net = mockFetch((n) => (n === 0 ? new Promise<Response>((r) => (answer = r)) : accepted()));
    const t = track();
    t.click(widget);
    t.hover(widget);
    t.flush();
    t.dismiss(widget);
    pagehide(true);
    expect(net.sent.map((s) => s.body.e.map((e) => e.t))).toEqual([['click', 'hover'], ['dismiss']]);
    const [gone] = queueKeys();
    expect(JSON.parse(localStorage[gone!])[0]).toBe(0);
    pageshow();
    await vi.advanceTimersByTimeAsync(0);
    // Taken back under a new key, as a new page.
    expect(queueKeys()).toHaveLength(1);
    expect(queueKeys()[0]).not.toBe(gone);
    expect(JSON.parse(localStorage[queueKeys()[0]!])[0]).toBeGreaterThan(0);
    // Still in flight: not sent twice by this page.
    expect(net.sent).toHaveLength(2);
    vi.spyOn(Math, 'random').mockReturnValue(1);
    answer(failing(503)());
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.sent.map((s) => s.body.e.map((e) => e.t))).toEqual([
      ['click', 'hover'],
      ['dismiss'],
      ['click', 'hover'],
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(queueKeys()).toEqual([]);
  });
});
