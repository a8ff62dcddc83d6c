import { beforeEach, describe, expect, it, vi } from 'vitest';
import { add, mockFetch, tagGlobal, useTagPage } from './dom.js';

const w = tagGlobal;

/** The snippet of contract section 1, then the tag with `attributes`, then the SDK. */
function stub() {
  w.lasttouch =
    w.lasttouch ||
    function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: the contract's snippet queues `arguments`
      // biome-ignore lint/suspicious/noAssignInExpressions: the contract's snippet, as storefronts paste it
      (w.lasttouch!.q = w.lasttouch!.q || []).push(arguments);
    };
  return w.lasttouch;
}

/** Evaluates the tag (`started`: and lets the task it starts in run). */
async function load(attributes: Record<string, string> = {}, started = true) {
  const script = document.createElement('script');
  script.dataset.site = 'ltw_tag';
  script.dataset.api = 'https://collector.test';
  Object.assign(script.dataset, attributes);
  document.head.append(script);
  vi.resetModules();
  await import('../src/iife.js');
  if (started) await vi.advanceTimersByTimeAsync(0);
}

useTagPage();
let net: ReturnType<typeof mockFetch>;
beforeEach(() => {
  net = mockFetch();
});

const sent = async () => {
  await vi.advanceTimersByTimeAsync(1000);
  return net.events();
};

describe('script tag', () => {
  it('replays the calls queued by the stub in order, then replaces the stub', async () => {
    const lt = stub();
    lt('click', { kind: 'popup', id: 'a' });
    lt('checkout', { orderId: '1', value: 2, currency: 'EUR' });
    lt('hover', { kind: 'notification', id: 'b' });
    let id: string | null = null;
    lt('visitorId', (v: string) => {
      id = v;
    });
    await load();
    expect(w.lasttouch).not.toBe(lt);
    w.lasttouch!('dismiss', { kind: 'popup', id: 'a' });
    const events = await sent();
    expect(events.map((e) => e.t)).toEqual(['click', 'checkout', 'hover', 'dismiss']);
    expect(id).toBe(events[0]!.v);
    expect(net.sent[0]!.body.k).toBe('ltw_tag');
    expect(net.sent[0]!.url).toBe('https://collector.test/v1/events');
  });

  it('starts in a task after its evaluation: calls meanwhile wait in order', async () => {
    const el = add('<div data-lt-widget="block" data-lt-id="hero"></div>');
    stub()('click', { kind: 'block', id: 'stub' });
    await load({}, false);
    expect(localStorage.lt_v).toBeUndefined();
    w.lasttouch!('click', { kind: 'block', id: 'meanwhile' });
    expect(w.lasttouch!.q).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(w.lasttouch!.q).toBeUndefined();
    el.click();
    expect((await sent()).map((e) => `${e.t}:${e.w}`)).toEqual(['click:stub', 'click:meanwhile', 'click:hero']);
  });

  it('starts at once with a holdout: widgets are hidden from the held-out before they paint', async () => {
    await load({ holdout: '10' }, false);
    expect(localStorage.lt_v).toBeDefined();
    expect(w.lasttouch!.q).toBeUndefined();
  });

  it('applies a queued consent at its place in the order (data-consent="required")', async () => {
    const lt = stub();
    lt('click', { kind: 'popup', id: 'before' });
    lt('consent', true);
    lt('click', { kind: 'popup', id: 'after' });
    await load({ consent: 'required' });
    expect((await sent()).map((e) => e.w)).toEqual(['after']);
  });

  it('does not track twice when the script is loaded twice', async () => {
    const el = add('<div data-lt-widget="block" data-lt-id="hero"></div>');
    stub()('hover', { kind: 'block', id: 'queued' });
    await load();
    const first = w.lasttouch;
    await load();
    expect(w.lasttouch).toBe(first);
    el.click();
    expect((await sent()).map((e) => `${e.t}:${e.w}`)).toEqual(['hover:queued', 'click:hero']);
  });

  it('runs every queued call even when one throws, and reports the error as uncaught', async () => {
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (error: unknown) => reported.push(error));
    const lt = stub();
    lt('click', { kind: 'popup', id: 'a' });
    lt('visitorId', () => {
      throw new Error('page bug');
    });
    lt('nonsense');
    lt('click', { kind: 'popup', id: 'b' });
    await load();
    expect((await sent()).map((e) => e.w)).toEqual(['a', 'b']);
    expect(reported).toEqual([new Error('page bug')]);
  });

  it('works without the stub', async () => {
    await load();
    w.lasttouch!('flush');
    w.lasttouch!('click', { kind: 'block', id: 'x' });
    expect(await sent()).toHaveLength(1);
  });

  it('reads data-hover-ms, data-session-timeout-ms and data-respect-gpc', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    const el = add('<div data-lt-widget="notification" data-lt-id="n"></div>');
    await load({ hoverMs: '100', sessionTimeoutMs: '5000', respectGpc: 'false' });
    el.dispatchEvent(new PointerEvent('pointerover', { bubbles: true, pointerType: 'mouse' }));
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(6000);
    w.lasttouch!('click', { kind: 'notification', id: 'n' });
    const [hover, click] = await sent();
    expect(hover).toMatchObject({ t: 'hover', w: 'n' });
    expect(click!.s).not.toBe(hover!.s);
  });

  it('does nothing without data-site or data-api', async () => {
    const script = document.createElement('script');
    script.dataset.site = 'ltw_tag';
    document.head.append(script);
    vi.resetModules();
    await import('../src/iife.js');
    expect(w.lasttouch).toBeUndefined();
  });
});
