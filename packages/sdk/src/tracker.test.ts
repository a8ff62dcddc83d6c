import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accepted, add, io, mockFetch, reset, track } from '../test/dom.js';

let net: ReturnType<typeof mockFetch>;
const widget = { kind: 'notification', id: 'n1', campaign: 'spring' } as const;

beforeEach(() => {
  reset();
  vi.useFakeTimers();
  net = mockFetch();
});
afterEach(() => reset());

const sent = async () => {
  await vi.advanceTimersByTimeAsync(1000);
  return net.events();
};
const storedKeys = () => Object.keys(localStorage).sort();

describe('events', () => {
  it('carry a unique id, the visitor, the session, the time and the path', async () => {
    const t = track();
    t.instance(widget);
    t.click({ kind: 'popup', id: 'p', sequence: 'welcome' });
    const [a, b] = await sent();
    expect(a).toEqual({
      id: expect.any(String),
      t: 'instance',
      v: localStorage.lt_v,
      s: expect.any(String),
      ts: Date.now() - 1000,
      p: '/',
      k: 'notification',
      w: 'n1',
      c: 'spring',
    });
    expect(b).toMatchObject({ t: 'click', k: 'popup', w: 'p', q: 'welcome', v: a!.v, s: a!.s });
    expect(b!.id).not.toBe(a!.id);
  });

  it('start a new session after the configured inactivity', async () => {
    const t = track({ sessionTimeoutMs: 60_000 });
    t.hover(widget);
    await vi.advanceTimersByTimeAsync(59_000);
    t.hover(widget);
    await vi.advanceTimersByTimeAsync(61_000);
    t.hover(widget);
    const [a, b, c] = await sent();
    expect(b!.s).toBe(a!.s);
    expect(c!.s).not.toBe(a!.s);
    expect(c!.v).toBe(a!.v);
  });
});

describe('checkout', () => {
  it('sends a valid order in major units', async () => {
    track().checkout({ orderId: 'A-1001', value: 12.5, currency: 'EUR' });
    expect(await sent()).toEqual([expect.objectContaining({ t: 'checkout', o: 'A-1001', val: 12.5, cur: 'EUR' })]);
  });

  it.each([
    { orderId: '', value: 1, currency: 'EUR' },
    { orderId: 1001, value: 1, currency: 'EUR' },
    { orderId: 'x'.repeat(129), value: 1, currency: 'EUR' },
    { orderId: 'a\nb', value: 1, currency: 'EUR' },
    { orderId: '1', value: -1, currency: 'EUR' },
    { orderId: '1', value: '12.5', currency: 'EUR' },
    { orderId: '1', value: Number.NaN, currency: 'EUR' },
    { orderId: '1', value: Number.POSITIVE_INFINITY, currency: 'EUR' },
    { orderId: '1', value: 1, currency: 'eur' },
    { orderId: '1', value: 1, currency: 'EURO' },
    { orderId: '1', value: 1 },
  ])('sends nothing for %j and says why in debug mode', async (order) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    track({ debug: true }).checkout(order as never);
    expect(await sent()).toEqual([]);
    expect(error).toHaveBeenCalledWith('[lasttouch]', expect.stringContaining('ISO 4217'), order);
  });

  it('is silent without debug', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    track().checkout({ orderId: '', value: 1, currency: 'EUR' });
    expect(error).not.toHaveBeenCalled();
  });
});

describe('consent required', () => {
  it('tracks and stores nothing before consent, everything after', async () => {
    const el = add('<div data-lt-widget="block" data-lt-id="hero"></div>');
    const t = track({ consent: 'required' });
    t.click(widget);
    t.checkout({ orderId: '1', value: 1, currency: 'EUR' });
    el.click();
    let id: string | null = 'unset';
    t.visitorId((v) => {
      id = v;
    });
    t.flush();
    expect(id).toBeNull();
    expect(await sent()).toEqual([]);
    expect(storedKeys()).toEqual([]);
    expect(document.cookie).toBe('');

    t.consent(true);
    // Widgets already shown count from now on.
    io().report(el, 1);
    el.click();
    t.visitorId((v) => {
      id = v;
    });
    expect((await sent()).map((e) => e.t)).toEqual(['instance', 'click']);
    expect(id).toBe(localStorage.lt_v);
    expect(document.cookie).toContain(`lt_v=${id}`);
  });

  it('withdrawing clears the stored ids and the queue, and stops tracking', async () => {
    mockFetch(() => Promise.reject(new TypeError('offline')));
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(1000);
    expect(storedKeys()).toEqual(['lt_q', 'lt_s', 'lt_v']);
    const before = localStorage.lt_v;
    t.consent(false);
    expect(storedKeys()).toEqual([]);
    expect(document.cookie).toBe('');
    const net = mockFetch();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.sent).toEqual([]);
    t.consent(true);
    t.click(widget);
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.events()).toHaveLength(1);
    expect(net.events()[0]!.v).not.toBe(before);
  });
});

describe('withdrawal during a send', () => {
  it('leaves nothing stored when the send ends after the withdrawal', async () => {
    let answer: (r: Response) => void = () => {};
    mockFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(1000);
    t.consent(false);
    answer(accepted());
    await vi.advanceTimersByTimeAsync(0);
    expect(storedKeys()).toEqual([]);
  });
});

describe('Global Privacy Control and Do-Not-Track', () => {
  it.each([
    ['globalPrivacyControl', true],
    ['doNotTrack', '1'],
  ])('%s: not tracked by default, nothing stored', async (property, value) => {
    Object.defineProperty(navigator, property, { value, configurable: true });
    const t = track();
    t.click(widget);
    t.consent(true);
    t.click(widget);
    expect(await sent()).toEqual([]);
    expect(storedKeys()).toEqual([]);
  });

  it('tracked with respectGpc false (data-respect-gpc="false")', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    track({ respectGpc: 'false' as never }).click(widget);
    expect(await sent()).toHaveLength(1);
  });
});
