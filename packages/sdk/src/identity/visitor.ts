import { VISITOR_COOKIE, VISITOR_ID_PATTERN } from '@lasttouch/shared';
import { put, type Store } from '../store.js';
import { secureUid } from '../util.js';
import { readCookies, writeCookie } from './cookie.js';

/** 400 days: the longest any browser keeps a cookie. */
export const COOKIE_SECONDS = 34_560_000;

/**
 * The visitor id: the cookie's or localStorage's, or a new one; a stored value of another shape
 * (`VISITOR_ID_PATTERN`) is never sent: it is replaced. localStorage gets it at once (other tabs
 * of the origin read it); the cookie is the caller's to write (`saveVisitor`), off the start-up
 * path: reading and probing cookies is a synchronous round trip to the browser each.
 */
export function loadVisitor(store: Store): string {
  const id = [...readCookies(), store[VISITOR_COOKIE]].find((value) => VISITOR_ID_PATTERN.test(value!)) || secureUid();
  put(store, VISITOR_COOKIE, id);
  return id;
}

/** Writes (or refreshes) the visitor cookie: each of the cookie and localStorage restores the other. */
export const saveVisitor = (id: string) => writeCookie(id, COOKIE_SECONDS);

/** Deletes the visitor cookie (localStorage is cleared by the caller with every other key). */
export const forgetVisitor = () => writeCookie('', -1);
