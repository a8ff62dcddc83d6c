import { uid } from '../util.js';
import { cookie, put, type Store } from './storage.js';

const YEAR_SECONDS = 31_536_000;
const VISITOR = 'lt_v';
const SESSION = 'lt_s';

export type Identity = [
  /** The visitor id; the cookie and localStorage each restore the other. */
  visitor: () => string,
  /** The session id at `ts`, rotated after `timeoutMs` without activity; `ts` counts as activity. */
  session: (ts: number) => string,
  clear: () => void,
];

export function createIdentity(store: Store, timeoutMs: number): Identity {
  let visitor = '';
  return [
    () => {
      if (!visitor) {
        visitor = cookie() || store[VISITOR] || uid();
        cookie(visitor, YEAR_SECONDS);
        put(store, VISITOR, visitor);
      }
      return visitor;
    },
    (ts) => {
      // Stored as `id.lastActivity` so every tab of the browser shares the session.
      const [id, last] = (store[SESSION] || '').split('.');
      const session = id && ts - +(last as string) < timeoutMs ? id : uid();
      put(store, SESSION, `${session}.${ts}`);
      return session;
    },
    () => {
      put(store, VISITOR);
      put(store, SESSION);
      // biome-ignore lint/suspicious/noAssignInExpressions: the tag's byte budget (test/size.test.ts)
      cookie((visitor = ''), -1);
    },
  ];
}
