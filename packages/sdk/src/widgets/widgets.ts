import type { WidgetEventType } from '@lasttouch/shared';

const WIDGET = '[data-lt-widget]';
const DISMISS = '[data-lt-dismiss]';

interface State {
  /** At least half inside the viewport, as the IntersectionObserver last said. */
  v?: boolean;
  /** This showing was counted as an instance. */
  s?: boolean;
  /** This showing was hovered. */
  h?: boolean;
  /** Pending hover. */
  t?: ReturnType<typeof setTimeout> | 0;
}

/** In the document, rendered, not `visibility:hidden`, and not of zero size (detached: zero size). */
const rendered = (el: Element) => {
  const box = el.getBoundingClientRect();
  return box.width && box.height && getComputedStyle(el).visibility !== 'hidden';
};

const widgetOf = (target: EventTarget | null) => (target as Element | null)?.closest?.(WIDGET);

/**
 * Tracks `[data-lt-widget]` elements: one MutationObserver for discovery and visibility
 * changes, one IntersectionObserver for the viewport, and one delegated listener per event
 * type, whatever the number of widgets. Returns `scan`, to run after SPA navigations.
 *
 * A showing ends when the widget stops being rendered or leaves the document; a new showing is a
 * new instance. Leaving the viewport while rendered (scrolling) does not end it.
 */
export function trackWidgets(emit: (type: WidgetEventType, el: HTMLElement) => void, hoverMs: number) {
  const widgets = new Map<Element, State>();

  const check = (el: Element, state: State) => {
    if (!rendered(el)) {
      clearTimeout(state.t);
      state.s = false;
      state.t = 0;
    } else if (state.v && !state.s) {
      state.s = true;
      state.h = false;
      emit('instance', el as HTMLElement);
    }
  };

  const io = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const state = widgets.get(entry.target);
        if (state) {
          state.v = entry.intersectionRatio >= 0.5;
          check(entry.target, state);
        }
      }
    },
    { threshold: 0.5 },
  );

  const scan = () => {
    for (const el of document.querySelectorAll(WIDGET)) {
      if (!widgets.has(el)) {
        widgets.set(el, {});
        io.observe(el);
      }
    }
    widgets.forEach((state, el) => {
      check(el, state);
      if (!el.isConnected) {
        io.unobserve(el);
        widgets.delete(el);
      }
    });
  };

  new MutationObserver(scan).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['class', 'style', 'hidden', 'data-lt-widget'],
  });

  const listen = <K extends keyof DocumentEventMap>(type: K, handler: (event: DocumentEventMap[K]) => void) =>
    document.addEventListener(type, handler, { capture: true, passive: true });

  // `click` covers mouse, touch and keyboard activation.
  listen('click', (event) => {
    const el = widgetOf(event.target);
    const dismiss = (event.target as Element).closest?.(DISMISS);
    if (el) emit(dismiss && el.contains(dismiss) ? 'dismiss' : 'click', el as HTMLElement);
  });

  // Hover through pointerover/pointerout, which bubble (pointerenter/leave do not): moving
  // between children of a widget leaves it only when the pointer lands outside.
  const hover = (event: PointerEvent) => {
    const el = widgetOf(event.target);
    const state = el && widgets.get(el);
    if (!state) return;
    if (event.type === 'pointerout') {
      if (!el.contains(event.relatedTarget as Node | null)) {
        clearTimeout(state.t);
        state.t = 0;
      }
    } else if (!state.h && !state.t && event.pointerType !== 'touch') {
      state.t = setTimeout(() => {
        state.h = true;
        state.t = 0;
        emit('hover', el as HTMLElement);
      }, hoverMs);
    }
  };
  listen('pointerover', hover);
  listen('pointerout', hover);

  scan();
  return scan;
}
