import type { WidgetWireType } from '@lasttouch/shared';

const WIDGET = '[data-lt-widget]';
const DISMISS = '[data-lt-dismiss]';

/**
 * Intersection ratios that call back: every percent, so a widget larger than the viewport is
 * seen when it comes to cover half of it (its ratio then is well under one half).
 */
const THRESHOLDS = Array.from({ length: 101 }, (_, i) => i / 100);

/** What is known of one widget element. Underscored names are private: the minifier shortens them. */
interface State {
  /** The `data-lt-id` this state is about: another one makes the element a new widget. */
  _id?: string | undefined | 0;
  /** In view as the instance rule wants it, as the IntersectionObserver last said. */
  _inView?: boolean;
  /** This showing was counted as an instance. */
  _shown?: boolean | 0;
  /** This showing was hovered. */
  _hovered?: boolean | 0;
  /** Pending hover. */
  _timer?: ReturnType<typeof setTimeout> | 0;
}

/**
 * Tracks `[data-lt-widget]` elements: one MutationObserver for discovery and for what may show or
 * hide them, one IntersectionObserver for the viewport, one capture-phase listener per event type
 * on the document, whatever the number of widgets. `emit` gets `eligible` when a widget is found
 * in the document (and when its id changes), then `instance`, `click`, `hover` and `dismiss`.
 *
 * Instance: rendered (not `display:none`, `visibility:hidden` or `opacity:0`, itself or through an
 * ancestor, and not of zero size) and at least half in the viewport, or covering at least half of
 * the viewport when larger than it; once per showing. A showing ends when the widget stops being
 * rendered, leaves the document or changes id; scrolling out of view does not end it.
 *
 * Returns `renew`: every widget starts over as a new one (a page restored from the back/forward
 * cache is a new page view: new eligibility, new instances of what is shown).
 */
export function trackWidgets(emit: (type: WidgetWireType, el: HTMLElement) => void, hoverMs: number) {
  const widgets = new Map<Element, State>();
  /** Cancels a pending hover. */
  const stop = (state: State) => {
    clearTimeout(state._timer);
    state._timer = 0;
  };

  const check = (el: HTMLElement, state: State) => {
    const id = el.dataset.ltId;
    if (state._id !== id) {
      stop(state);
      state._id = id;
      state._shown = state._hovered = 0;
      emit('eligible', el);
    }
    // Out of view and not showing: nothing can start or end, so no layout is read.
    if (!state._inView && !state._shown) return;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) {
      stop(state);
      state._shown = 0;
    } else if (state._inView && !state._shown) {
      state._shown = true;
      state._hovered = 0;
      emit('instance', el);
    }
  };

  const io = new IntersectionObserver(
    (entries) => {
      for (const { target, intersectionRatio, intersectionRect, rootBounds } of entries) {
        const state = widgets.get(target);
        // No root bounds (a cross-origin frame): only the ratio can tell.
        const inView =
          intersectionRatio >= 0.5 ||
          (!!rootBounds &&
            intersectionRect.width * intersectionRect.height * 2 >= rootBounds.width * rootBounds.height);
        if (state && state._inView !== inView) {
          state._inView = inView;
          check(target as HTMLElement, state);
        }
      }
    },
    { threshold: THRESHOLDS },
  );

  /**
   * Discovers new widgets and re-checks the known ones a mutation may have shown, hidden or given
   * another id: those the changed node is inside or contains, and removed ones. Reading sizes
   * forces a layout, so mutations elsewhere on the page read none.
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
        check(el as HTMLElement, state);
    });
  };

  new MutationObserver(scan).observe(document, {
    childList: true,
    subtree: true,
    // Every attribute: any may show or hide a widget (class, style, hidden, a dialog's open, ones
    // stylesheets select on) or renew it (data-lt-id); a change away from widgets reads no layout.
    attributes: true,
  });

  // One capture-phase passive listener per type serves every widget, and sees events the page
  // stops. `click` covers mouse, touch and keyboard activation. Hover goes through pointerover and
  // pointerout, which bubble: moving between children of a widget leaves it only when the pointer
  // lands outside. Events from inside an open shadow root reach the document retargeted to the
  // host, so `closest` finds a widget whose host carries the markup.
  const on = (event: Event) => {
    const el = (event.target as Element).closest?.(WIDGET) as HTMLElement;
    const state = widgets.get(el);
    if (!state) return;
    if (event.type === 'click') {
      // The composed path holds the clicked element even inside a shadow root.
      const path = event.composedPath();
      emit(
        path.slice(0, path.indexOf(el)).some((node) => (node as Element).matches?.(DISMISS)) ? 'dismiss' : 'click',
        el,
      );
    } else if (event.type === 'pointerout') {
      if (!el.contains((event as PointerEvent).relatedTarget as Node | null)) stop(state);
    } else if (!state._hovered && !state._timer && (event as PointerEvent).pointerType !== 'touch') {
      state._timer = setTimeout(() => {
        state._hovered = true;
        emit('hover', el);
      }, hoverMs);
    }
  };
  for (const type of ['click', 'pointerover', 'pointerout'])
    document.addEventListener(type, on, { capture: true, passive: true });

  scan();
  return () =>
    widgets.forEach((state, el) => {
      state._id = 0;
      check(el as HTMLElement, state);
    });
}
