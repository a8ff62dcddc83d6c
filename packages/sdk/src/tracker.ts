import type { EventType } from '@lasttouch/shared';
import { LIMITS, WIDGET_EVENT_TYPES } from '@lasttouch/shared';
import { CHECKOUT_RULE, validCheckout } from './api/checkout.js';
import { fail, log, setDebug } from './debug.js';
import { createIdentity } from './identity/identity.js';
import { optedOut } from './identity/privacy.js';
import { openStore } from './identity/storage.js';
import { withoutToken } from './links/landing.js';
import { onNavigation } from './navigation.js';
import { createTransport } from './transport/transport.js';
import type { Tracker, TrackerOptions, WidgetInput } from './types.js';
import { now, uid } from './util.js';
import { trackWidgets } from './widgets/widgets.js';

/**
 * A tracker for this page. It starts observing widgets, picks up a tagged-link token and sends
 * the queue persisted by earlier pages as soon as the visitor may be tracked: at once, or on
 * `consent(true)` when consent is required.
 *
 * @example
 * const lt = createTracker({ site: 'ltw_…', api: 'https://collector.example' });
 * lt.checkout({ orderId: '1001', value: 12.5, currency: 'EUR' });
 */
export function createTracker(options: TrackerOptions): Tracker {
  // The script tag passes its dataset: numbers as strings, flags as '' (present) or 'false'.
  const { debug } = options as { debug?: boolean | string };
  __DEBUG__ && setDebug(debug != null && debug !== false);
  const store = openStore();
  const [visitor, session, clearIds] = createIdentity(store, +(options.sessionTimeoutMs as number) || 1_800_000);
  const [startSending, enqueue, flush, clearQueue] = createTransport(
    `${options.api.replace(/\/+$/, '')}/v1/events`,
    options.site,
    store,
  );
  let granted = options.consent !== 'required';
  let started = false;

  const tracked = () => granted && !(`${options.respectGpc}` !== 'false' && optedOut());

  const track = (t: EventType, fields: object) => {
    if (!tracked()) return;
    const ts = now();
    const event = {
      id: uid(),
      t,
      v: visitor(),
      s: session(ts),
      ts,
      p: location.pathname.slice(0, LIMITS.pathLength),
      ...fields,
    };
    __DEBUG__ && log(t, event);
    enqueue(event as never);
  };

  // Empty campaign or sequence attributes mean none.
  const widget = (t: EventType, k: string | undefined, w: string, c?: string, q?: string) =>
    track(t, { k, w, c: c || undefined, q: q || undefined });

  // The landing of a tagged link; the token leaves the address bar without a reload. Untracked,
  // the token stays in the address: a later consent still picks it up.
  const landing = () => {
    const [tk, address] = withoutToken(location);
    if (tk && tracked()) {
      track('landing', { tk });
      history.replaceState(history.state, '', address);
    }
  };

  const start = () => {
    if (started || !tracked()) return;
    started = true;
    startSending();
    const scan = trackWidgets(
      (t, el) => {
        const { ltWidget, ltId, ltCampaign, ltSequence } = el.dataset;
        if (ltId) widget(t, ltWidget, ltId, ltCampaign, ltSequence);
        else __DEBUG__ && fail('a widget without data-lt-id', el);
      },
      +(options.hoverMs as number) || 500,
    );
    onNavigation(() => {
      landing();
      scan();
    });
    landing();
  };

  start();
  const tracker = {
    checkout(order) {
      if (validCheckout(order)) track('checkout', { o: order.orderId, val: order.value, cur: order.currency });
      else __DEBUG__ && fail(CHECKOUT_RULE, order);
    },
    consent(value) {
      granted = value;
      if (value) return start();
      clearIds();
      clearQueue();
    },
    visitorId(callback) {
      callback(tracked() ? visitor() : null);
    },
    // Untracked, nothing is queued: the queue is loaded on start and cleared on withdrawal.
    flush: () => flush(),
  } as Tracker;
  for (const t of WIDGET_EVENT_TYPES)
    tracker[t] = ({ kind, id, campaign, sequence }: WidgetInput) => widget(t, kind, id, campaign, sequence);
  return tracker;
}
