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
  /** Cancels a pending hover. */
  const stop = (state: State) => {
    clearTimeout(state.t);
    state.t = 0;
  };

  const check = (el: Element, state: State) => {
    // Out of the viewport and not showing: nothing can start or end, so no layout is read.
    if (!state.v && !state.s) return;
    // In the document, rendered, not `visibility:hidden`, and not of zero size (detached: zero size).
    const box = el.getBoundingClientRect();
    if (!(box.width && box.height && getComputedStyle(el).visibility !== 'hidden')) {
      stop(state);
      state.s = false;
    } else if (state.v && !state.s) {
      state.h = false;
      state.s = true;
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

  /**
   * Discovers new widgets and re-checks the known ones a mutation may have shown or hidden: those
   * the changed node is inside or contains, and removed ones. Without `records` (load, SPA
   * navigation) all are re-checked. Reading sizes forces a layout, so mutations elsewhere on the
   * page read none.
   */
  const scan = (records?: MutationRecord[]) => {
    for (const el of document.querySelectorAll(WIDGET)) {
      if (!widgets.has(el)) {
        widgets.set(el, {});
        io.observe(el);
      }
    }
    widgets.forEach((state, el) => {
      if (!el.isConnected) {
        io.unobserve(el);
        widgets.delete(el);
      }
      if (!records || !el.isConnected || records.some(({ target }) => target.contains(el) || el.contains(target)))
        check(el, state);
    });
  };

  new MutationObserver(scan).observe(document, {
    childList: true,
    subtree: true,
    // Every attribute: any may show or hide a widget (class, style, hidden, a dialog's open, ones
    // stylesheets select on); a change away from widgets costs no layout read (see scan).
    attributes: true,
  });

  // One capture-phase passive listener per type on the document serves every widget. `click`
  // covers mouse, touch and keyboard activation. Hover goes through pointerover/pointerout, which
  // bubble (pointerenter/leave do not): moving between children of a widget leaves it only when
  // the pointer lands outside.
  const on = (event: Event) => {
    const target = event.target as Element;
    // Every widget in the document is known by the time an event reaches it.
    const el = target.closest?.(WIDGET) as HTMLElement;
    const state = widgets.get(el);
    if (!state) return;
    if (event.type === 'click') emit(el.contains(target.closest(DISMISS)) ? 'dismiss' : 'click', el);
    else if (event.type === 'pointerout') {
      if (!el.contains((event as PointerEvent).relatedTarget as Node | null)) stop(state);
    } else if (!state.h && !state.t && (event as PointerEvent).pointerType !== 'touch') {
      state.t = setTimeout(() => {
        state.h = true;
        state.t = 0;
        emit('hover', el);
      }, hoverMs);
    }
  };
  for (const type of ['click', 'pointerover', 'pointerout'])
    document.addEventListener(type, on, { capture: true, passive: true });

  scan();
  return scan;
}
