import { VISITOR_ID_PATTERN } from '@lasttouch/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reset } from '../../test/dom.js';
import { openStore, type Store } from '../store.js';
import { readCookies } from './cookie.js';
import { forgetVisitor, loadVisitor as load, saveVisitor } from './visitor.js';

/** Loads the id and writes the cookie, as the tracker does with its first flush. */
const loadVisitor = (store: Store) => {
  const id = load(store);
  saveVisitor(id);
  return id;
};

beforeEach(() => reset());
afterEach(() => reset());

/** Every value written to `document.cookie`, still applied. */
function cookieWrites() {
  const written: string[] = [];
  let proto = Object.getPrototypeOf(document);
  while (!Object.hasOwn(proto, 'cookie')) proto = Object.getPrototypeOf(proto);
  const cookie = Object.getOwnPropertyDescriptor(proto, 'cookie')!;
  vi.spyOn(document, 'cookie', 'get').mockImplementation(() => cookie.get!.call(document));
  vi.spyOn(document, 'cookie', 'set').mockImplementation((value) => {
    written.push(value);
    cookie.set!.call(document, value);
  });
  return written;
}

/** A page on another host: happy-dom cannot navigate across origins, the cookie code reads only the host name. */
const host = (url: string) => vi.stubGlobal('location', new URL(url));

describe('visitor id', () => {
  it('is random, of the shape the collector accepts, kept in a cookie mirrored in localStorage', () => {
    const id = loadVisitor(openStore());
    expect(id).toMatch(VISITOR_ID_PATTERN);
    expect(readCookies()).toEqual([id]);
    expect(localStorage.lt_v).toBe(id);
    expect(loadVisitor(openStore())).toBe(id);
    reset();
    expect(loadVisitor(openStore())).not.toBe(id);
  });

  it('is restored from localStorage when the cookie is gone, and rewrites the cookie', () => {
    localStorage.lt_v = 'fromstorage00000';
    expect(loadVisitor(openStore())).toBe('fromstorage00000');
    expect(readCookies()).toEqual(['fromstorage00000']);
  });

  it('is restored from the cookie when localStorage is gone, and rewrites localStorage', () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the cookie as the SDK reads it, written synchronously
    document.cookie = 'lt_v=fromcookie000000; path=/';
    expect(loadVisitor(openStore())).toBe('fromcookie000000');
    expect(localStorage.lt_v).toBe('fromcookie000000');
  });

  it.each([
    ['a malformed cookie', 'lt_v=Not%20An%20Id', undefined],
    ['a cookie too short', 'lt_v=abc', undefined],
    ['markup in storage', '', '<script>'],
    ['an empty cookie and an uppercase id', 'lt_v=', 'ABCDEFGHIJKLMNOPQRST'],
  ])('replaces %s by a new id, never sending it', (_, cookie, stored) => {
    // biome-ignore lint/suspicious/noDocumentCookie: the cookie as the SDK reads it, written synchronously
    if (cookie) document.cookie = `${cookie}; path=/`;
    if (stored) localStorage.lt_v = stored;
    const id = loadVisitor(openStore());
    expect(id).toMatch(VISITOR_ID_PATTERN);
    expect(localStorage.lt_v).toBe(id);
    expect(readCookies()).toEqual([id]);
  });

  it('takes the valid one of two cookies (a host-only and a domain cookie)', () => {
    vi.spyOn(document, 'cookie', 'get').mockReturnValue('a=1; lt_v=bad; lt_v=goodgoodgood0000; b=2');
    expect(loadVisitor(openStore())).toBe('goodgoodgood0000');
  });

  it('sets the cookie for 400 days, site-wide, SameSite=Lax, Secure in secure contexts', () => {
    const written = cookieWrites();
    vi.stubGlobal('isSecureContext', true);
    const id = loadVisitor(openStore());
    expect(written.at(-1)).toBe(`lt_v=${id};domain=shop.test;path=/;samesite=lax;secure;max-age=34560000`);
    vi.stubGlobal('isSecureContext', false);
    loadVisitor(openStore());
    expect(written.at(-1)).toBe(`lt_v=${id};domain=shop.test;path=/;samesite=lax;max-age=34560000`);
  });

  it('puts the cookie on the widest domain the browser accepts: the registrable domain, not a public suffix', () => {
    host('https://www.shop.co.uk/');
    const written: string[] = [];
    const accepted = new Set(['shop.co.uk', 'www.shop.co.uk']);
    let jar = '';
    vi.spyOn(document, 'cookie', 'get').mockImplementation(() => jar);
    vi.spyOn(document, 'cookie', 'set').mockImplementation((value) => {
      written.push(value);
      const domain = value.match(/;domain=([^;]+)/)?.[1];
      if (!domain || accepted.has(domain)) jar = value.split(';')[0]!;
    });
    const id = loadVisitor(openStore());
    expect(written.map((w) => w.match(/;domain=([^;]+)/)?.[1])).toEqual(['co.uk', 'shop.co.uk', 'shop.co.uk']);
    expect(written.at(-1)).toMatch(new RegExp(`^lt_v=${id};domain=shop.co.uk;`));
  });

  it('gives an IP address or a one-label host a host-only cookie', () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost:3000/']) {
      host(url);
      vi.stubGlobal('isSecureContext', false);
      const written = cookieWrites();
      // No domain cookie sticks on an IP address.
      vi.spyOn(document, 'cookie', 'get').mockReturnValue('');
      loadVisitor(openStore());
      expect(written.at(-1)).toMatch(/^lt_v=[0-9a-v]{20};path=\/;samesite=lax;max-age=34560000$/);
    }
  });

  it('is deleted from the cookie on its domain and host-only', () => {
    loadVisitor(openStore());
    const written = cookieWrites();
    forgetVisitor();
    expect(written.filter((w) => w.includes('max-age=-1'))).toEqual([
      'lt_v=;domain=shop.test;path=/;samesite=lax;secure;max-age=-1',
      'lt_v=;path=/;samesite=lax;secure;max-age=-1',
    ]);
    expect(readCookies()).toEqual([]);
  });
});

describe('storage that throws', () => {
  it('degrades to memory without errors', () => {
    const blocked = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    const real = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')!;
    Object.defineProperty(globalThis, 'localStorage', { get: blocked, configurable: true });
    const spies = [vi.spyOn(document, 'cookie', 'get'), vi.spyOn(document, 'cookie', 'set')];
    for (const spy of spies) spy.mockImplementation(blocked);
    try {
      const store = openStore();
      expect(store).toEqual({});
      const id = loadVisitor(store);
      expect(id).toMatch(VISITOR_ID_PATTERN);
      expect(loadVisitor(store)).toBe(id);
      expect(() => forgetVisitor()).not.toThrow();
    } finally {
      for (const spy of spies) spy.mockRestore();
      Object.defineProperty(globalThis, 'localStorage', real);
    }
  });
});
