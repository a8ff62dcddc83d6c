import { afterEach, beforeEach, vi } from 'vitest';
import { createTracker } from '../src/tracker.js';
import type { Tracker, TrackerOptions } from '../src/types.js';

/** happy-dom's IntersectionObserver never fires: this one is driven by the test. */
export class FakeIntersectionObserver {
  static last: FakeIntersectionObserver | undefined;
  readonly targets = new Set<Element>();
  constructor(readonly callback: IntersectionObserverCallback) {
    FakeIntersectionObserver.last = this;
  }
  observe(el: Element) {
    this.targets.add(el);
  }
  unobserve(el: Element) {
    this.targets.delete(el);
  }
  disconnect() {
    this.targets.clear();
  }
  /**
   * Reports `el` at `ratio` inside a 1000×800 viewport, as a browser would after layout; `area`
   * is the visible part's size (by default the ratio of a 300×200 box).
   */
  report(el: Element, ratio: number, area = { width: 300 * ratio, height: 200 }) {
    const entry = {
      target: el,
      intersectionRatio: ratio,
      isIntersecting: ratio > 0,
      intersectionRect: area,
      rootBounds: { width: 1000, height: 800 },
    };
    this.callback([entry as never], this as never);
  }
}

export const io = () => {
  if (!FakeIntersectionObserver.last) throw new Error('no IntersectionObserver yet');
  return FakeIntersectionObserver.last;
};

const NONE = { x: 0, y: 0, width: 0, height: 0, top: 0, left: 0, right: 0, bottom: 0 };
const BOX = { ...NONE, width: 300, height: 200, right: 300, bottom: 200 };

/** The element or an ancestor, up to the document, matching `test`. */
const upwards = (from: Element, test: (el: HTMLElement) => boolean) => {
  for (let el: Element | null = from; el; el = el.parentElement) if (test(el as HTMLElement)) return true;
  return false;
};

/**
 * happy-dom has no layout: a connected element is 300×200 unless it or an ancestor is hidden
 * (`hidden`, `display:none`), or it has `data-size="0"` or `data-size="big"` (3000×2000).
 */
function layout(this: HTMLElement) {
  if (!this.isConnected || upwards(this, (el) => el.hidden || el.style?.display === 'none')) return NONE;
  if (this.dataset.size === '0') return NONE;
  return this.dataset.size === 'big' ? { ...BOX, width: 3000, height: 2000, right: 3000, bottom: 2000 } : BOX;
}

/**
 * `checkVisibility({opacityProperty, visibilityProperty})` from inline styles: no box (detached,
 * hidden, `display:none`), `visibility:hidden` (inherited) or `opacity:0` (itself or an ancestor).
 */
function checkVisibility(this: Element, options: { opacityProperty?: boolean; visibilityProperty?: boolean } = {}) {
  if (!this.isConnected || upwards(this, (el) => el.hidden || el.style?.display === 'none')) return false;
  if (options.opacityProperty && upwards(this, (el) => el.style?.opacity === '0')) return false;
  if (options.visibilityProperty) {
    for (let el: Element | null = this; el; el = el.parentElement) {
      const visibility = (el as HTMLElement).style?.visibility;
      if (visibility) return visibility !== 'hidden';
    }
  }
  return true;
}

export interface Sent {
  url: string;
  body: { k: string; st: number; e: Record<string, unknown>[] };
  keepalive?: boolean;
}

/** Answers fetches with `respond` (default 202) and records every request. */
export function mockFetch(respond: (n: number) => Response | Promise<Response> = () => accepted()) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (url: string | URL, init: RequestInit) => {
    sent.push({ url: String(url), body: JSON.parse(init.body as string), keepalive: init.keepalive });
    return respond(sent.length - 1);
  });
  vi.stubGlobal('fetch', fetch);
  return { sent, fetch, events: () => sent.flatMap((s) => s.body.e) };
}

export const accepted = (body: object = { accepted: 1, duplicates: 0, rejected: [] }) =>
  new Response(JSON.stringify(body), { status: 202, headers: { 'content-type': 'application/json' } });

const trackers: Tracker[] = [];

/** A tracker on this page; `reset` disables it at the end of the test. */
export function track(options: Partial<TrackerOptions> = {}) {
  const tracker = createTracker({ site: 'ltw_test', api: 'https://collector.test/', ...options });
  trackers.push(tracker);
  return tracker;
}

/** Fresh page state between tests of one file (happy-dom keeps one window per file). */
export function reset(url = 'https://shop.test/') {
  // Listeners of earlier trackers stay on the document; withdrawn, they record nothing.
  for (const tracker of trackers.splice(0)) tracker.consent(false);
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  localStorage.clear();
  for (const cookie of document.cookie.split('; ')) {
    // biome-ignore lint/suspicious/noDocumentCookie: the cookie as the SDK reads it, written synchronously
    if (cookie) document.cookie = `${cookie.split('=')[0]}=; max-age=-1; path=/`;
  }
  document.body.innerHTML = '';
  history.replaceState(null, '', url);
  Object.defineProperty(navigator, 'doNotTrack', { value: null, configurable: true });
  Object.defineProperty(navigator, 'globalPrivacyControl', { value: undefined, configurable: true });
  vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver);
  // Every browser has it; happy-dom does not.
  vi.stubGlobal('isSecureContext', location.protocol === 'https:');
  FakeIntersectionObserver.last = undefined;
  Element.prototype.getBoundingClientRect = layout as never;
  Element.prototype.checkVisibility = checkVisibility;
}

/** `window.lasttouch`, the stub's queue or the tag's function. */
export const tagGlobal = window as unknown as { lasttouch?: ((...args: unknown[]) => void) & { q?: unknown[] } };

/**
 * Hooks of a file that loads the script tag itself: each test starts on fake timers with no
 * `lasttouch` global and no script element, and the tag it loaded withdraws afterwards (its
 * listeners stay on the document, recording nothing).
 */
export function useTagPage() {
  beforeEach(() => {
    reset();
    vi.useFakeTimers();
    tagGlobal.lasttouch = undefined;
    for (const script of document.querySelectorAll('script')) script.remove();
  });
  afterEach(() => {
    tagGlobal.lasttouch?.('consent', false);
    tagGlobal.lasttouch = undefined;
    reset();
  });
}

/** Adds `html` to the body and returns its first element. */
export function add(html: string): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  const el = template.content.firstElementChild as HTMLElement;
  document.body.append(el);
  return el;
}

/** Lets MutationObserver callbacks and settled fetches run. */
export const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A `pagehide` or `pageshow` event; happy-dom's PageTransitionEvent lacks `persisted`. */
export function pageTransition(type: 'pagehide' | 'pageshow', persisted: boolean) {
  const event = new Event(type);
  Object.defineProperty(event, 'persisted', { value: persisted });
  dispatchEvent(event);
}
