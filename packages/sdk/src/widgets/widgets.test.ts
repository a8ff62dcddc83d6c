import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { add, io, mockFetch, pageTransition, reset, settle, track } from '../../test/dom.js';

const POPUP = `<div data-lt-widget="popup" data-lt-id="spring-sale" data-lt-campaign="spring" data-lt-sequence="">
  <a href="/sale"><span>Shop the sale</span></a>
  <button data-lt-dismiss aria-label="Close"><b>×</b></button>
</div>`;

let net: ReturnType<typeof mockFetch>;

beforeEach(() => {
  reset();
  vi.useFakeTimers();
  net = mockFetch();
});
afterEach(() => reset());

/** Types of the widget events sent so far, after the batch timer. */
async function sent() {
  await vi.advanceTimersByTimeAsync(1500);
  return net.events().map((e) => `${e.t}:${e.w}`);
}

const pointer = (type: string, target: Element, pointerType = 'mouse', relatedTarget: Element | null = null) =>
  target.dispatchEvent(new PointerEvent(type, { bubbles: true, pointerType, relatedTarget }));

describe('instances', () => {
  it('counts a widget at least half in view once per showing, not when scrolled out and back', async () => {
    const el = add(POPUP);
    track();
    io().report(el, 0.49);
    expect(await sent()).toEqual([]);
    io().report(el, 0.5);
    io().report(el, 0); // scrolled out, still rendered
    io().report(el, 1);
    expect(await sent()).toEqual(['instance:spring-sale']);
    expect(net.events()[0]).toMatchObject({ t: 'instance', k: 'popup', w: 'spring-sale', c: 'spring', p: '/' });
    expect(net.events()[0]).not.toHaveProperty('q'); // empty data-lt-sequence means none
  });

  it('counts again after the widget was hidden (display, hidden, visibility) and shown again', async () => {
    const el = add(POPUP);
    track();
    io().report(el, 1);
    el.style.display = 'none';
    await settle();
    io().report(el, 0);
    el.style.display = '';
    await settle();
    io().report(el, 1);
    el.hidden = true;
    await settle();
    el.hidden = false;
    await settle();
    el.style.visibility = 'hidden';
    await settle();
    el.style.visibility = 'visible';
    await settle();
    expect(await sent()).toEqual([
      'instance:spring-sale',
      'instance:spring-sale',
      'instance:spring-sale',
      'instance:spring-sale',
    ]);
  });

  it('does not count a widget that is in view but not rendered or of zero size', async () => {
    const el = add(POPUP);
    el.style.visibility = 'hidden';
    track();
    io().report(el, 1);
    expect(await sent()).toEqual([]);
  });

  it('counts again after removal and re-insertion', async () => {
    const el = add(POPUP);
    track();
    io().report(el, 1);
    el.remove();
    await settle();
    expect(io().targets.has(el)).toBe(false);
    document.body.append(el);
    await settle();
    expect(io().targets.has(el)).toBe(true);
    io().report(el, 1);
    expect(await sent()).toEqual(['instance:spring-sale', 'instance:spring-sale']);
  });

  it('discovers widgets added later with one MutationObserver and one IntersectionObserver', async () => {
    const observe = vi.spyOn(MutationObserver.prototype, 'observe');
    track();
    const ioAtStart = io();
    const late = add('<section><div data-lt-widget="block" data-lt-id="hero">Hi</div></section>');
    await settle();
    const inner = late.firstElementChild as Element;
    expect(io()).toBe(ioAtStart);
    expect(io().targets.has(inner)).toBe(true);
    expect(observe).toHaveBeenCalledTimes(1);
    io().report(inner, 0.9);
    expect(await sent()).toEqual(['instance:hero']);
  });

  it('reads the layout only of widgets a mutation touches', async () => {
    const wrapped = add('<section><div data-lt-widget="block" data-lt-id="w1"><p>a</p></div></section>');
    const w1 = wrapped.firstElementChild as HTMLElement;
    const w2 = add('<div data-lt-widget="block" data-lt-id="w2"><p>b</p></div>');
    const other = add('<p>elsewhere</p>');
    track();
    io().report(w1, 1);
    io().report(w2, 1);
    await settle();
    const measured = vi.spyOn(Element.prototype, 'getBoundingClientRect');
    const read = async (change: () => void) => {
      measured.mockClear();
      change();
      await settle();
      // Trackers of earlier tests in this file still observe: each widget counts once.
      return [...new Set(measured.mock.contexts)];
    };
    expect(await read(() => other.classList.add('x'))).toEqual([]);
    expect(await read(() => other.append(document.createElement('i')))).toEqual([]);
    expect(await read(() => wrapped.classList.add('x'))).toEqual([w1]);
    expect(await read(() => w2.firstElementChild?.setAttribute('style', 'height:0'))).toEqual([w2]);
    expect(await read(() => w2.append(document.createElement('i')))).toEqual([w2]);
    // Hidden through an ancestor: that showing ends, the next one counts.
    expect(await read(() => (wrapped.hidden = true))).toEqual([w1]);
    wrapped.hidden = false;
    await settle();
    io().report(w1, 1);
    expect(await sent()).toEqual(['instance:w1', 'instance:w2', 'instance:w1']);
  });

  it('reads no layout for widgets that are neither in view nor showing (start-up costs nothing for them)', async () => {
    const measured = vi.spyOn(Element.prototype, 'getBoundingClientRect');
    measured.mockClear();
    const far = add('<div data-lt-widget="block" data-lt-id="far"><p>below the fold</p></div>');
    track();
    far.classList.add('x');
    await settle();
    expect(measured.mock.contexts).not.toContain(far);
    io().report(far, 1);
    expect(measured.mock.contexts).toContain(far);
    expect(await sent()).toEqual(['instance:far']);
  });

  it('re-checks no widget on History API navigations; widgets a route renders are found as they appear', async () => {
    const shown = add('<div data-lt-widget="block" data-lt-id="kept"></div>');
    track();
    io().report(shown, 1);
    const measured = vi.spyOn(Element.prototype, 'getBoundingClientRect');
    measured.mockClear();
    history.replaceState({}, '', '/products/1?x=1');
    history.pushState({}, '', '/products/2');
    expect(measured).not.toHaveBeenCalled();
    const el = add('<div data-lt-widget="notification" data-lt-id="n1"></div>');
    await settle();
    expect(io().targets.has(el)).toBe(true);
    io().report(el, 1);
    await vi.advanceTimersByTimeAsync(1500);
    expect(net.events().map((e) => `${e.t}:${e.w}:${e.p}`)).toEqual(['instance:kept:/', 'instance:n1:/products/2']);
  });

  it('does not count a widget at opacity 0, itself or through an ancestor, until it is opaque', async () => {
    const wrapper = add(`<div style="opacity:0">${POPUP}</div>`);
    const el = wrapper.firstElementChild as HTMLElement;
    const faded = add(
      POPUP.replace('spring-sale', 'faded').replace('data-lt-widget', 'style="opacity:0" data-lt-widget'),
    );
    track();
    io().report(el, 1);
    io().report(faded, 1);
    expect(await sent()).toEqual([]);
    wrapper.style.opacity = '1';
    faded.style.opacity = '0.5';
    await settle();
    expect(await sent()).toEqual(['instance:spring-sale', 'instance:faded']);
  });

  it('counts a widget larger than the viewport once it covers half of the viewport', async () => {
    const el = add('<div data-lt-widget="block" data-lt-id="tall" data-size="big"></div>');
    track();
    // A 3000×2000 block: a quarter of the viewport is 12% of it, half the viewport 20%.
    io().report(el, 0.12, { width: 1000, height: 200 });
    expect(await sent()).toEqual([]);
    io().report(el, 0.2, { width: 1000, height: 400 });
    expect(await sent()).toEqual(['instance:tall']);
  });

  it('treats an element whose data-lt-id changes as a new widget (frameworks reuse nodes)', async () => {
    const el = add(POPUP);
    track();
    io().report(el, 1);
    el.click();
    el.dataset.ltId = 'summer-sale';
    await settle();
    el.click();
    expect(await sent()).toEqual([
      'instance:spring-sale',
      'click:spring-sale',
      'instance:summer-sale',
      'click:summer-sale',
    ]);
  });

  it('counts every widget shown again when the page is restored from the back/forward cache', async () => {
    const el = add(POPUP);
    const other = add(POPUP.replace('spring-sale', 'other'));
    track();
    io().report(el, 1);
    pageTransition('pagehide', true);
    pageTransition('pageshow', true);
    // A normal load's pageshow changes nothing.
    pageTransition('pageshow', false);
    io().report(other, 0.2);
    expect(await sent()).toEqual(['instance:spring-sale', 'instance:spring-sale']);
  });
});

describe('clicks and dismisses', () => {
  it('records a click anywhere inside the widget, a dismiss on or inside the dismiss element', async () => {
    const el = add(POPUP);
    track();
    (el.querySelector('span') as HTMLElement).click();
    el.click();
    (el.querySelector('button') as HTMLElement).click();
    (el.querySelector('b') as HTMLElement).click();
    add('<p>outside</p>').click();
    expect(await sent()).toEqual([
      'click:spring-sale',
      'click:spring-sale',
      'dismiss:spring-sale',
      'dismiss:spring-sale',
    ]);
  });

  it('uses one capture-phase passive listener per event type on the document', () => {
    const listen = vi.spyOn(document, 'addEventListener');
    add(POPUP);
    add(POPUP.replace('spring-sale', 'other'));
    track();
    const widgetListeners = listen.mock.calls.filter(([type]) => ['click', 'pointerover', 'pointerout'].includes(type));
    expect(widgetListeners.map(([type]) => type)).toEqual(['click', 'pointerover', 'pointerout']);
    for (const [, , options] of widgetListeners) expect(options).toEqual({ capture: true, passive: true });
  });

  it('is still recorded when the page stops propagation', async () => {
    const el = add(POPUP);
    el.addEventListener('click', (event) => event.stopPropagation());
    track();
    el.click();
    expect(await sent()).toEqual(['click:spring-sale']);
  });
});

describe('hovers', () => {
  it('records a hover after hover-ms of continuous presence, once per instance', async () => {
    const el = add(POPUP);
    track({ hoverMs: 400 });
    io().report(el, 1);
    const link = el.querySelector('a') as Element;
    pointer('pointerover', link);
    await vi.advanceTimersByTimeAsync(300);
    // Moving between children of the widget is still presence.
    pointer('pointerout', link, 'mouse', el.querySelector('button'));
    pointer('pointerover', el.querySelector('button') as Element);
    await vi.advanceTimersByTimeAsync(100);
    pointer('pointerout', el, 'mouse', null);
    pointer('pointerover', link);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await sent()).toEqual(['instance:spring-sale', 'hover:spring-sale']);
  });

  it('does not record a presence shorter than hover-ms', async () => {
    const el = add(POPUP);
    track({ hoverMs: 400 });
    pointer('pointerover', el);
    await vi.advanceTimersByTimeAsync(399);
    pointer('pointerout', el, 'mouse', document.body);
    pointer('pointerover', el);
    await vi.advanceTimersByTimeAsync(399);
    pointer('pointerout', el);
    expect(await sent()).toEqual([]);
  });

  it('allows a new hover in a new showing', async () => {
    const el = add(POPUP);
    track();
    io().report(el, 1);
    pointer('pointerover', el);
    await vi.advanceTimersByTimeAsync(500);
    el.hidden = true;
    await settle();
    el.hidden = false;
    await settle();
    pointer('pointerover', el);
    await vi.advanceTimersByTimeAsync(500);
    expect(await sent()).toEqual([
      'instance:spring-sale',
      'hover:spring-sale',
      'instance:spring-sale',
      'hover:spring-sale',
    ]);
  });

  it('never records a hover for touch', async () => {
    const el = add(POPUP);
    track();
    pointer('pointerover', el, 'touch');
    await vi.advanceTimersByTimeAsync(5000);
    expect(await sent()).toEqual([]);
  });
});
