import { VISITOR_COOKIE, VISITOR_ID_PATTERN } from '@lasttouch/shared';
import { put, type Store } from '../store.js';
import { uid } from '../util.js';
import { readCookies, writeCookie } from './cookie.js';

/** 400 days: the longest any browser keeps a cookie. */
export const COOKIE_SECONDS = 34_560_000;

/**
 * The visitor id: the cookie's or localStorage's (each restores the other), or a new one. A
 * stored value of another shape (`VISITOR_ID_PATTERN`) is never sent: it is replaced.
 */
export function loadVisitor(store: Store): string {
  const id = [...readCookies(), store[VISITOR_COOKIE]].find((value) => VISITOR_ID_PATTERN.test(value!)) || uid();
  writeCookie(id, COOKIE_SECONDS);
  put(store, VISITOR_COOKIE, id);
  return id;
}

/** Deletes the visitor cookie (localStorage is cleared by the caller with every other key). */
export const forgetVisitor = () => writeCookie('', -1);
