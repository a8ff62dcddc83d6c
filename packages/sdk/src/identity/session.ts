import { put, type Store } from '../store.js';
import { uid } from '../util.js';

const SESSION = 'lt_s';

export type Session = [
  /** The session id at `ts`, which counts as activity: a new one after `timeoutMs` without any in any tab. */
  at: (ts: number) => string,
  /** Stores the id and its last activity for the other tabs and pages (on the queue's timer, not per event). */
  save: () => void,
  end: () => void,
];

export function createSession(store: Store, timeoutMs: number): Session {
  let id = '';
  let last = Number.NEGATIVE_INFINITY;
  return [
    (ts) => {
      if (!(ts - last < timeoutMs)) {
        // Stored as `id.lastActivity`: another tab's activity keeps the session alive.
        const [storedId, storedLast] = (store[SESSION] || '').split('.');
        id = storedId && ts - +storedLast! < timeoutMs ? storedId : uid();
      }
      last = ts;
      return id;
    },
    () => id && put(store, SESSION, `${id}.${last}`),
    () => {
      id = '';
      last = Number.NEGATIVE_INFINITY;
    },
  ];
}
