import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accepted, add, io, mockFetch, pageTransition, reset, settle, track } from '../test/dom.js';
import { heldOut } from './holdout.js';
import { uid } from './util.js';

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
    expect(storedKeys()).toEqual([expect.stringMatching(/^lt_q\./), 'lt_s', 'lt_v']);
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

describe('consent values', () => {
  it.each([
    [true, 'granted'],
    [false, 'denied'],
  ])('%s and %j mean the same', async (yes, text) => {
    for (const value of [yes, text]) {
      reset();
      vi.useFakeTimers();
      const net = mockFetch();
      const t = track({ consent: 'required' });
      t.consent(value as never);
      t.click(widget);
      await vi.advanceTimersByTimeAsync(1000);
      expect(net.events()).toHaveLength(yes ? 1 : 0);
    }
  });

  it.each([['yes'], [1], [0], [''], [null], [undefined], ['true'], [{}]])(
    'ignores %j, and says so in debug mode',
    async (value) => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      const t = track({ consent: 'required', debug: true });
      t.consent(value as never);
      t.click(widget);
      expect(await sent()).toEqual([]);
      t.consent(true);
      t.consent(value as never);
      t.click(widget);
      expect(await sent()).toHaveLength(1);
      expect(error).toHaveBeenCalledWith('[lasttouch]', expect.stringContaining('consent takes'), value);
    },
  );
});

describe('withdrawal in another tab', () => {
  it('stops this tab: its queue is dropped, nothing more is sent or stored', async () => {
    mockFetch(() => Promise.reject(new TypeError('offline')));
    const t = track();
    t.click(widget);
    await vi.advanceTimersByTimeAsync(1000);
    // The other tab's consent(false) deleted every key; this tab hears it through storage.
    localStorage.clear();
    // biome-ignore lint/suspicious/noDocumentCookie: the cookie as the SDK reads it, written synchronously
    document.cookie = 'lt_v=; max-age=-1; path=/; domain=shop.test';
    dispatchEvent(new StorageEvent('storage', { key: 'lt_v', oldValue: 'x', newValue: null }));
    const net = mockFetch();
    t.click(widget);
    t.flush();
    dispatchEvent(new Event('pagehide'));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.sent).toEqual([]);
    expect(storedKeys()).toEqual([]);
    let id: string | null = 'unset';
    t.visitorId((v) => {
      id = v;
    });
    expect(id).toBeNull();
  });

  it('is not what another tab replacing the id with another valid one does', async () => {
    const net = mockFetch();
    const t = track();
    localStorage.lt_v = 'anotheridanotherid00';
    dispatchEvent(new StorageEvent('storage', { key: 'lt_v', newValue: 'anotheridanotherid00' }));
    t.click(widget);
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.events()).toHaveLength(1);
    expect(localStorage.lt_v).toBe('anotheridanotherid00');
  });

  it('is seen on a restore from the back/forward cache too', async () => {
    const net = mockFetch();
    const t = track();
    pageTransition('pagehide', true);
    localStorage.clear();
    pageTransition('pageshow', true);
    t.click(widget);
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.events()).toEqual([]);
  });
});

describe('identify', () => {
  it('sends the customer id once per visitor and change, and stores only a hash of it', async () => {
    const t = track();
    t.identify('cust-1');
    t.identify('cust-1');
    t.identify('cust-2');
    // Another page of the same visitor.
    track().identify('cust-2');
    const events = await sent();
    expect(events.map((e) => [e.t, e.cu])).toEqual([
      ['identify', 'cust-1'],
      ['identify', 'cust-2'],
    ]);
    expect(JSON.stringify({ ...localStorage })).not.toContain('cust-');
    expect(document.cookie).not.toContain('cust-');
  });

  it('sends it again for a new visitor id (after withdrawal and consent)', async () => {
    const t = track();
    t.identify('cust-1');
    t.flush();
    t.consent(false);
    t.identify('cust-1');
    t.consent('granted');
    t.identify('cust-1');
    const events = await sent();
    expect(events.map((e) => e.cu)).toEqual(['cust-1', 'cust-1']);
    expect(events[0]!.v).not.toBe(events[1]!.v);
  });

  it('refuses an empty or oversized id, and says why in debug mode', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const t = track({ debug: true });
    for (const bad of ['', 'x'.repeat(129), 'a\u0000b', 42, null]) t.identify(bad as never);
    expect(await sent()).toEqual([]);
    expect(error).toHaveBeenCalledTimes(5);
  });
});

/** A stored visitor id in the wanted cohort at `percent`. */
function visitorIn(cohort: 'holdout' | 'exposed', percent = 50) {
  for (;;) {
    const id = uid();
    if (heldOut(id, percent) === (cohort === 'holdout')) {
      localStorage.lt_v = id;
      return id;
    }
  }
}

describe('holdout', () => {
  const POPUP = '<div data-lt-widget="popup" data-lt-id="p1" data-lt-campaign="spring">Sale</div>';
  const hidingRules = () =>
    [...document.querySelectorAll('style')].filter((s) => s.textContent?.includes('[data-lt-widget]'));
  const cohortOf = (t: ReturnType<typeof track>) => {
    let cohort: string | null = 'unset';
    t.cohort((c) => {
      cohort = c;
    });
    return cohort;
  };

  it('hides every widget from a held-out visitor with one style rule, and sends eligible instead of the rest', async () => {
    const el = add(POPUP);
    visitorIn('holdout');
    const t = track({ holdout: '50' as never });
    expect(hidingRules()).toHaveLength(1);
    expect(hidingRules()[0]!.textContent).toBe('[data-lt-widget]{display:none!important}');
    expect(cohortOf(t)).toBe('holdout');
    io().report(el, 1);
    el.click();
    // A widget added later is hidden by the same rule, and eligible once it is in the document.
    const late = add('<div data-lt-widget="block" data-lt-id="b1"></div>');
    await settle();
    io().report(late, 1);
    t.instance({ kind: 'notification', id: 'api-widget' });
    t.click({ kind: 'notification', id: 'api-widget' });
    t.checkout({ orderId: 'o1', value: 1, currency: 'EUR' });
    const events = await sent();
    expect(events.map((e) => `${e.t}:${e.w ?? e.o}:${e.h}`)).toEqual([
      'eligible:p1:1',
      'eligible:b1:1',
      'eligible:api-widget:1',
      'checkout:o1:1',
    ]);
    expect(events[0]).toMatchObject({ k: 'popup', c: 'spring' });
    expect(document.body.innerHTML).not.toContain('style');
  });

  it('shows widgets to an exposed visitor, who sends eligible once per widget per page view, then the rest', async () => {
    const el = add(POPUP);
    visitorIn('exposed');
    const t = track({ holdout: '50' as never });
    expect(hidingRules()).toEqual([]);
    expect(cohortOf(t)).toBe('exposed');
    io().report(el, 1);
    el.click();
    el.click();
    t.click({ kind: 'popup', id: 'p1' });
    t.hover({ kind: 'notification', id: 'api-widget' });
    expect((await sent()).map((e) => `${e.t}:${e.w}:${e.h}`)).toEqual([
      'eligible:p1:0',
      'instance:p1:0',
      'click:p1:0',
      'click:p1:0',
      'click:p1:0',
      'eligible:api-widget:0',
      'hover:api-widget:0',
    ]);
    // A page restored from the back/forward cache is a new page view.
    pageTransition('pageshow', true);
    expect((await sent()).slice(7).map((e) => `${e.t}:${e.w}`)).toEqual(['eligible:p1', 'instance:p1']);
  });

  it('keeps the cohort across pages and visits (a stable function of the visitor id)', () => {
    const id = visitorIn('holdout', 20);
    for (let i = 0; i < 3; i++) {
      reset();
      localStorage.lt_v = id;
      expect(cohortOf(track({ holdout: '20' as never }))).toBe('holdout');
    }
  });

  it('without a holdout: no eligible events, no cohort on events, every visitor exposed', async () => {
    const el = add(POPUP);
    visitorIn('holdout');
    const t = track();
    expect(cohortOf(t)).toBe('exposed');
    io().report(el, 1);
    const events = await sent();
    expect(events.map((e) => e.t)).toEqual(['instance']);
    expect(events[0]).not.toHaveProperty('h');
    expect(hidingRules()).toEqual([]);
  });

  it.each([
    ['80', 50],
    ['12.7', 12],
    ['-5', 0],
    ['abc', 0],
  ])('reads data-holdout=%j as %i %%', (attribute, percent) => {
    const id = uid();
    localStorage.lt_v = id;
    expect(cohortOf(track({ holdout: attribute as never }))).toBe(heldOut(id, percent) ? 'holdout' : 'exposed');
  });

  it('answers null, hides nothing and sends nothing while not tracked; withdrawal shows the widgets again', async () => {
    visitorIn('holdout');
    const t = track({ holdout: '50' as never, consent: 'required' });
    expect(cohortOf(t)).toBeNull();
    expect(hidingRules()).toEqual([]);
    t.consent(true);
    expect(cohortOf(t)).toBe('holdout');
    expect(hidingRules()).toHaveLength(1);
    t.consent(false);
    expect(cohortOf(t)).toBeNull();
    expect(hidingRules()).toEqual([]);
  });
});

describe('collector address', () => {
  it('resolves a relative data-api (a first-party mount) against the page', async () => {
    const net = mockFetch();
    history.replaceState(null, '', '/products/shoes?x=1');
    track({ api: '/lt' }).click(widget);
    await vi.advanceTimersByTimeAsync(1000);
    expect(String(net.fetch.mock.calls[0]![0])).toBe('https://shop.test/lt/v1/events');
    history.pushState(null, '', '/other/page');
    track({ api: '/lt/' }).click(widget);
    await vi.advanceTimersByTimeAsync(1000);
    expect(String(net.fetch.mock.calls[1]![0])).toBe('https://shop.test/lt/v1/events');
  });
});

describe('start-up', () => {
  it('reads the cookie once and writes none: the cookie is written with the first flush, in a later task', async () => {
    const reads = vi.spyOn(document, 'cookie', 'get');
    const writes = vi.spyOn(document, 'cookie', 'set');
    const t = track();
    expect(reads).toHaveBeenCalledTimes(1);
    expect(writes).not.toHaveBeenCalled();
    expect(localStorage.lt_v).toMatch(/^[0-9a-v]{20}$/);
    reads.mockRestore();
    writes.mockRestore();
    await vi.advanceTimersByTimeAsync(0);
    let id: string | null = null;
    t.visitorId((v) => {
      id = v;
    });
    expect(document.cookie).toContain(`lt_v=${id}`);
  });
});
