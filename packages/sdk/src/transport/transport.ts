import { fail, log } from '../debug.js';
import { put, type Store } from '../store.js';
import { uid } from '../util.js';
import { pack } from './pack.js';
import { retryDelay } from './retry.js';

/** Each page stores its unsent events under this prefix and an id of its own: no two pages write one key. */
export const QUEUE = 'lt_q.';
/** Events a page keeps at most; past it widget events give way first. */
export const MAX_QUEUE = 200;
/** Events wait this long for company, then are stored and sent together. */
export const FLUSH_MS = 1000;
/** A stored queue not rewritten for this long belongs to a page that is gone (crashed, discarded). */
export const STALE_MS = 120_000;

/** Widget events are built with `k` first, so the first bytes of their JSON tell them apart. */
const isWidgetEvent = (json: string) => json.startsWith('{"k"');

export type Transport = [
  /** Takes over the stored queues of pages that are gone and sends them, in the next task. */
  start: () => void,
  /** Queues one event's JSON; nothing is written or sent before the timer, a hide or a flush. */
  push: (json: string) => void,
  /** Stores and sends what is queued (unless backing off). */
  flush: () => void,
  /** Forgets the queue (consent withdrawn; the caller deletes what is stored). */
  clear: () => void,
  /** A page restored from the back/forward cache starts over as a new page. */
  restore: () => void,
];

/**
 * At-least-once delivery with one writer per stored key. A page keeps its events in memory and
 * writes them under its own key on the timer, when hidden and on pagehide (never per event). An
 * event leaves once the collector answered 2xx (per-event rejections included: resending cannot
 * help) or a status that will never change (other 4xx); network errors, 429 and 5xx are retried
 * with backoff by the same page, keepalive fetches included.
 *
 * Pages never send each other's events while they live, so two busy tabs send each event once.
 * On pagehide a page sends what it has not sent (keepalive) and marks its key as gone; the next
 * page (or the next load of the store) takes over every queue marked gone or not rewritten for
 * `STALE_MS`, and sends it: what the leaving page sent unconfirmed is sent again then, which the
 * collector dedupes by id. A page restored from the back/forward cache does the same with its own.
 *
 * `onFlush(dropped)` runs first in every flush: `dropped` is how many events a full queue has
 * dropped since the last report, counted while sending is possible (not while backing off).
 */
export function createTransport(url: URL, key: string, store: Store, onFlush: (dropped: number) => void): Transport {
  let own = QUEUE + uid();
  let queue: string[] = [];
  /** Events in a fetch that has not settled: not sent again meanwhile. */
  const flying = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  let backoff: ReturnType<typeof setTimeout> | 0 = 0;
  let attempt = 0;
  let dropped = 0;
  /**
   * Set on pagehide, until a restore: every later write marks the queue gone (the page may still
   * flush after pagehide: browsers fire visibilitychange after it).
   */
  let gone = false;

  /** Writes this page's queue with the time it was last alive (0: gone); an empty queue deletes the key. */
  const save = (alive: number) => put(store, own, queue[0] && JSON.stringify([alive, ...queue]));

  const adopt = () => {
    for (const name of Object.keys(store)) {
      if (name.startsWith(QUEUE) && name !== own)
        try {
          const [alive, ...events] = JSON.parse(store[name]!);
          if (!(alive > Date.now() - STALE_MS)) {
            queue = [...events, ...queue];
            put(store, name);
          }
        } catch {}
    }
  };

  async function post(body: string, batch: string[]) {
    const res = await fetch(url, { method: 'POST', body, keepalive: true }).catch(() => undefined);
    const delay = retryDelay(res?.status || 0, attempt, res?.headers.get('Retry-After'));
    for (const json of batch) flying.delete(json);
    if (delay < 0) {
      // Done with: accepted (2xx) or refused for good. Either way the collector answered.
      if (__DEBUG__)
        res?.ok
          ? res.json().then(
              (answer) => log('sent', answer),
              () => {},
            )
          : fail('dropped a batch the collector refused with', res?.status);
      attempt = 0;
      queue = queue.filter((json) => !batch.includes(json));
      save(Date.now());
    } else if (!backoff) {
      __DEBUG__ && log('retrying in', delay, 'ms after', res?.status || 'a network error');
      attempt++;
      backoff = setTimeout(() => {
        backoff = 0;
        flush();
      }, delay);
    }
  }

  function flush() {
    // While backing off nothing is sent; a page leaving meanwhile leaves its events to the next.
    const sending = !backoff;
    const reported = sending ? dropped : 0;
    clearTimeout(timer);
    timer = 0;
    dropped -= reported;
    // A drop event that pushes another event out sets the timer again: that count goes next.
    onFlush(reported);
    const rest = queue.filter((json) => !flying.has(json));
    while (sending && rest[0]) {
      const [body, count] = pack(key, rest);
      const batch = rest.splice(0, count);
      for (const json of batch) flying.add(json);
      post(body, batch);
    }
    save(gone ? 0 : Date.now());
  }

  addEventListener('pagehide', () => {
    gone = true;
    flush();
  });
  document.addEventListener('visibilitychange', () => document.hidden && flush());

  return [
    // In a task of its own: reading other pages' queues is no part of the page's start-up.
    () => {
      timer ||= setTimeout(() => {
        adopt();
        flush();
      });
    },
    (json) => {
      queue.push(json);
      while (queue.length > MAX_QUEUE) {
        // The oldest widget event not in a request (which may yet deliver it); a queue holding
        // nothing else refuses the newest event.
        queue.splice(
          queue.findIndex((json) => isWidgetEvent(json) && !flying.has(json)),
          1,
        );
        dropped++;
        __DEBUG__ && log('queue full: dropped', dropped, 'events since the last report');
      }
      timer ||= setTimeout(flush, FLUSH_MS);
    },
    flush,
    () => {
      queue = [];
    },
    () => {
      // Its stored queue is marked gone: taken over by the next page, or by this one now.
      own = QUEUE + uid();
      gone = false;
      queue = [];
      adopt();
      flush();
    },
  ];
}
