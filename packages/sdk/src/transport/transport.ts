import type { WireEvent } from '@lasttouch/shared';
import { LIMITS } from '@lasttouch/shared';
import { fail, log } from '../debug.js';
import { put, type Store } from '../identity/storage.js';
import { byteLength, pack } from './pack.js';
import { retryDelay } from './retry.js';

const QUEUE = 'lt_q';
/** Persisted events at most; past it the oldest are dropped. */
export const MAX_QUEUE = 200;
/** A batch waits this long for company... */
export const FLUSH_MS = 1000;
/** ...unless this many events are waiting. */
export const FLUSH_AT = 20;
/** Browsers give keepalive fetches and beacons of a page one shared in-flight budget. */
const BUDGET = LIMITS.bodyBytes;

export type Transport = [
  /** Loads the queue persisted by earlier pages, sends it, and flushes when the page is hidden. */
  start: () => void,
  push: (event: WireEvent) => void,
  /** Sends what is queued; `unloading` uses `sendBeacon`, whose delivery is never confirmed. */
  flush: (unloading?: boolean) => void,
  clear: () => void,
];

/**
 * At-least-once delivery. An event leaves the persisted queue only once the collector answered
 * 2xx (per-event rejections included: resending them cannot help) or a status that will never
 * change (other 4xx). A beacon's delivery is never confirmed, so a beaconed event stays stored
 * (not resent by this page) and is sent again on the next load: harmless, because the collector
 * dedupes by event id.
 */
export function createTransport(url: string, key: string, store: Store): Transport {
  let queue: WireEvent[] = [];
  /** Events in a request (or beaconed): not to be sent again by this page meanwhile. */
  const busy = new Set<WireEvent>();
  let keepaliveBytes = 0;
  /** Bytes beaconed since the page was last visible: a hide followed by pagehide shares one budget. */
  let beaconBytes = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  /**
   * A save to come: a burst of events (one task) costs one read, merge and write of the stored
   * queue, not one each. Whatever sends saves first, so an unloading page loses nothing queued.
   */
  let saving: ReturnType<typeof setTimeout> | 0 = 0;
  let backoff: ReturnType<typeof setTimeout> | 0 = 0;
  let attempt = 0;
  let dropped = 0;

  const load = (): WireEvent[] => {
    try {
      return JSON.parse(store[QUEUE] as string) || [];
    } catch {
      return [];
    }
  };
  /**
   * Other tabs write the same stored queue, so a write never replaces it: it merges this tab's
   * events into what is stored now (by id), less `done` (events this tab saw settled), oldest
   * dropped past the bound.
   */
  const save = (done: WireEvent[] = []) => {
    clearTimeout(saving);
    saving = 0;
    const mine = new Set(queue.concat(done).map((event) => event.id));
    // A total order: every tab computes the same queue from the same events, so tabs agree.
    const merged = load()
      .filter((event) => !mine.has(event.id))
      .concat(queue)
      .sort((a, b) => a.ts - b.ts || (a.id > b.id ? 1 : -1));
    if (__DEBUG__ && merged.length > MAX_QUEUE) {
      dropped += merged.length - MAX_QUEUE;
      log('queue full: dropped', dropped, 'oldest events so far');
    }
    // Empty, the key goes: withdrawn consent leaves nothing stored, even when a send ends later.
    put(store, QUEUE, merged[0] && JSON.stringify(merged.slice(-MAX_QUEUE)));
  };
  const remove = (batch: WireEvent[]) => {
    queue = queue.filter((event) => !batch.includes(event));
    save(batch);
  };
  const pending = () => queue.filter((event) => !busy.has(event));

  /** `held`: the bytes of the shared budget this request holds as a keepalive fetch, or 0. */
  async function post(body: string, batch: WireEvent[], held: number) {
    const res = await fetch(url, { method: 'POST', body, keepalive: held > 0 }).catch(() => undefined);
    const status = res?.status || 0;
    keepaliveBytes -= held;
    batch.forEach(busy.delete, busy);
    const delay = retryDelay(status, attempt, res?.headers.get('Retry-After'));
    if (delay < 0) {
      // Done with: accepted (2xx) or refused for good. Either way the collector answered, so the
      // backoff starts over.
      if (__DEBUG__)
        res?.ok
          ? res.json().then(
              (answer) => log('sent', answer),
              () => {},
            )
          : fail('dropped a batch the collector refused with', status);
      attempt = 0;
      remove(batch);
    } else if (!backoff) {
      __DEBUG__ && log('retrying in', delay, 'ms after', status || 'a network error');
      attempt++;
      backoff = setTimeout(() => {
        backoff = 0;
        flush();
      }, delay);
    }
  }

  function flush(unloading?: boolean) {
    clearTimeout(timer);
    timer = 0;
    // While backing off only the last chance of an unloading page is taken.
    if (backoff && !unloading) return;
    saving && save();
    let room = BUDGET - keepaliveBytes - beaconBytes;
    for (let events = pending(); events.length; events = pending()) {
      const [body, count] = pack(key, events, unloading ? room : BUDGET);
      const batch = events.slice(0, count);
      if (!count) {
        // Out of budget while unloading: the rest stays stored for the next load. Otherwise the
        // first event alone exceeds what the collector accepts, and would block the queue.
        if (unloading) return;
        __DEBUG__ && fail('dropped an oversized event', events[0]);
        remove(events.slice(0, 1));
        continue;
      }
      const size = byteLength(body);
      const held = size <= room ? size : 0;
      room -= held;
      batch.forEach(busy.add, busy);
      // Every browser that runs this ES2021 code has sendBeacon.
      if (unloading) {
        // `false`: the browser refused it; it stays stored and goes with the next load.
        if (!navigator.sendBeacon(url, body)) return batch.forEach(busy.delete, busy);
        beaconBytes += size;
      } else {
        // Beyond the budget a plain fetch still works while the page lives.
        keepaliveBytes += held;
        post(body, batch, held);
      }
    }
  }

  return [
    () => {
      queue = load();
      // Puts back this tab's events that another tab's write left out (a write racing ours). A
      // merge that changes nothing writes the same value, which fires no event: tabs settle.
      addEventListener('storage', (event) => event.key === QUEUE && save());
      const hide = () => flush(true);
      addEventListener('pagehide', hide);
      document.addEventListener('visibilitychange', () => {
        // Visible again, the beacons have left and their share of the budget is free.
        if (document.hidden) hide();
        else beaconBytes = 0;
      });
      flush();
    },
    (event) => {
      queue.push(event);
      queue = queue.slice(-MAX_QUEUE);
      saving ||= setTimeout(save);
      // FLUSH_AT events wait.
      if (pending()[FLUSH_AT - 1]) flush();
      else timer ||= setTimeout(flush, FLUSH_MS);
    },
    flush,
    () => {
      queue = [];
      put(store, QUEUE);
    },
  ];
}
