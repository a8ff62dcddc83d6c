import type { EventType, WidgetWireType } from '@lasttouch/shared';
import { LIMITS, MAX_HOLDOUT_PERCENT, VISITOR_COOKIE, WIDGET_EVENT_TYPES } from '@lasttouch/shared';
import { fail, log, setDebug } from './debug.js';
import { heldOut, hidingRule } from './holdout.js';
import { optedOut } from './identity/privacy.js';
import { createSession } from './identity/session.js';
import { forgetVisitor, loadVisitor, saveVisitor } from './identity/visitor.js';
import { withoutToken } from './links/landing.js';
import { onNavigation } from './navigation.js';
import { forget, openStore, put } from './store.js';
import { createTransport } from './transport/transport.js';
import type { Tracker, TrackerOptions, WidgetInput } from './types.js';
import { hash, uid } from './util.js';
import { CHECKOUT_RULE, validCheckout, validLabel } from './validate.js';
import { trackWidgets } from './widgets/widgets.js';

/** The mark of the last customer id `identify` sent for this visitor: a hash, never the id. */
const IDENTIFIED = 'lt_i';

/** `consent` values: the index's parity is the answer. */
const CONSENT = [false, true, 'denied', 'granted'];

/**
 * A tracker for this page. As soon as the visitor may be tracked (at once, or on `consent(true)`
 * when consent is required) it loads the visitor id, observes widgets, picks up a tagged-link
 * token and sends the queues earlier pages left.
 *
 * @example
 * const lt = createTracker({ site: 'ltw_…', api: 'https://collector.example' });
 * lt.checkout({ orderId: '1001', value: 12.5, currency: 'EUR' });
 */
export function createTracker(options: TrackerOptions): Tracker {
  // The script tag passes its dataset: numbers as strings, flags as '' (present) or 'false'.
  const { site, api, hoverMs, consent, respectGpc, debug, sessionTimeoutMs, holdout } = options as {
    [K in keyof TrackerOptions]: TrackerOptions[K] | string;
  } & { site: string; api: string };
  __DEBUG__ && setDebug(debug != null && `${debug}` !== 'false');
  const store = openStore();
  // A whole percentage up to the maximum; anything else is no holdout.
  const percent = Math.min(+holdout! | 0, MAX_HOLDOUT_PERCENT);
  const [session, saveSession, endSession] = createSession(store, +sessionTimeoutMs! || 1_800_000);
  // A relative base (a first-party mount, `/lt`) resolves against the page.
  const [startSending, enqueue, flush, clearQueue, restore] = createTransport(
    new URL(`${api.replace(/\/+$/, '')}/v1/events`, location.href),
    site,
    store,
    (n) => {
      n && track('drop', { n });
      saveSession();
      // The cookie once per page, with the first flush (a timer's task, or the page leaving).
      if (cookieDue && visitor) saveVisitor(visitor);
      cookieDue = false;
    },
  );
  const hiding = hidingRule();
  /** Widget ids reported eligible in this page view. */
  const seen = new Set<string | undefined>();
  let granted = consent !== 'required';
  /** The visitor id while tracking; empty while not (consent, GPC). */
  let visitor = '';
  let held = false;
  let cookieDue = false;
  let renew: (() => void) | undefined;

  const track = (t: EventType, fields: object) => {
    if (!visitor) return;
    const ts = Date.now();
    const event = {
      ...fields,
      t,
      id: uid(),
      v: visitor,
      s: session(ts),
      ts,
      p: location.pathname.slice(0, LIMITS.pathLength),
      h: percent ? +held : undefined,
    };
    __DEBUG__ && log(t, event);
    // Serialised once: the queue holds JSON, and a value JSON cannot hold throws here, at the call.
    enqueue(JSON.stringify(event));
  };

  /**
   * Every widget event, from markup or the API. While a holdout runs, a widget's first event of
   * the page view is preceded by `eligible` (both cohorts); a held-out visitor sends only that.
   * `k` comes first: the queue tells widget events apart by it.
   */
  const widget = (t: WidgetWireType, k?: string, w?: string, c?: string, q?: string) => {
    const fields = { k, w, c: c || undefined, q: q || undefined };
    if (percent && visitor && !seen.has(w)) {
      seen.add(w);
      track('eligible', fields);
    }
    if (!held && t !== 'eligible') track(t, fields);
  };

  // The landing of a tagged link; the token leaves the address bar without a reload. Untracked,
  // the token stays in the address: a later consent still picks it up.
  const landing = () => {
    const [tk, address] = withoutToken(location);
    if (tk && visitor) {
      track('landing', { tk });
      history.replaceState(history.state, '', address);
    }
  };

  const start = () => {
    if (visitor || !granted || (`${respectGpc}` !== 'false' && optedOut())) return;
    visitor = loadVisitor(store);
    cookieDue = true;
    held = heldOut(visitor, percent);
    if (held) document.head.append(hiding);
    startSending();
    landing();
    if (renew) renew();
    else {
      renew = trackWidgets((t, el) => {
        // Eligibility matters only while a holdout runs: no attribute is read for it otherwise.
        if (t === 'eligible' && !percent) return;
        const { ltWidget, ltId, ltCampaign, ltSequence } = el.dataset;
        if (ltId) widget(t, ltWidget, ltId, ltCampaign, ltSequence);
        else __DEBUG__ && fail('a widget without data-lt-id', el);
      }, +hoverMs! || 500);
      onNavigation(landing);
    }
  };

  /** Withdrawal: stored ids, marks and every page's queue go, here and (through storage) in every tab. */
  const stop = () => {
    visitor = '';
    held = false;
    hiding.remove();
    seen.clear();
    endSession();
    clearQueue();
    forget(store);
    forgetVisitor();
  };

  // Another tab withdrew (the stored id is gone), seen on its storage event or on a restore. An
  // id replaced by another one is no withdrawal: this page keeps its own until it reloads.
  const sync = () => visitor && !store[VISITOR_COOKIE] && stop();
  addEventListener('storage', sync);
  addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    sync();
    if (visitor) {
      seen.clear();
      restore();
      renew!();
    }
  });

  start();
  const tracker = {
    checkout(order) {
      if (__DEBUG__ && !validCheckout(order)) return fail(CHECKOUT_RULE, order);
      track('checkout', { o: order.orderId, val: order.value, cur: order.currency });
    },
    consent(value) {
      const answer = CONSENT.indexOf(value);
      if (answer < 0) return __DEBUG__ && fail('consent takes true, false, "granted" or "denied", not', value);
      granted = !!(answer % 2);
      granted ? start() : stop();
    },
    visitorId(callback) {
      callback(visitor || null);
    },
    cohort(callback) {
      callback(visitor ? (held ? 'holdout' : 'exposed') : null);
    },
    identify(customerId) {
      if (__DEBUG__ && !validLabel(customerId))
        return fail('identify needs a customer id of 1 to 128 printable characters, not', customerId);
      const mark = `${hash(`${visitor} ${customerId}`)}`;
      if (visitor && store[IDENTIFIED] !== mark) {
        track('identify', { cu: customerId });
        put(store, IDENTIFIED, mark);
      }
    },
    // Untracked, nothing is queued: the queue is empty until start and cleared on withdrawal.
    flush,
  } as Tracker;
  for (const t of WIDGET_EVENT_TYPES)
    tracker[t] = ({ kind, id, campaign, sequence }: WidgetInput) => widget(t, kind, id, campaign, sequence);
  return tracker;
}
