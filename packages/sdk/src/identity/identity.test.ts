import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reset } from '../../test/dom.js';
import { createIdentity } from './identity.js';
import { openStore, cookie as readCookie } from './storage.js';

beforeEach(() => reset());
afterEach(() => reset());

const fresh = (timeoutMs = 1_800_000) => createIdentity(openStore(), timeoutMs);

describe('visitor id', () => {
  it('is random, and kept in a cookie mirrored in localStorage', () => {
    const [visitor] = fresh();
    const id = visitor();
    expect(id).toMatch(/^[a-z0-9]{8,28}$/);
    expect(visitor()).toBe(id);
    expect(readCookie()).toBe(id);
    expect(localStorage.lt_v).toBe(id);
    expect(fresh()[0]()).toBe(id);
    reset();
    expect(fresh()[0]()).not.toBe(id);
  });

  it('is restored from localStorage when the cookie is gone, and rewrites the cookie', () => {
    localStorage.lt_v = 'fromstorage';
    const [visitor] = fresh();
    expect(visitor()).toBe('fromstorage');
    expect(readCookie()).toBe('fromstorage');
  });

  it('is restored from the cookie when localStorage is gone, and rewrites localStorage', () => {
    document.cookie = 'lt_v=fromcookie; path=/';
    const [visitor] = fresh();
    expect(visitor()).toBe('fromcookie');
    expect(localStorage.lt_v).toBe('fromcookie');
  });

  it('sets the cookie for a year, site-wide, SameSite=Lax, Secure in secure contexts', () => {
    const written: string[] = [];
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    vi.spyOn(document, 'cookie', 'set').mockImplementation((value) => {
      written.push(value);
      cookie.set!.call(document, value);
    });
    vi.stubGlobal('isSecureContext', true);
    fresh()[0]();
    vi.stubGlobal('isSecureContext', false);
    fresh()[0]();
    expect(written[0]).toMatch(/^lt_v=[a-z0-9]+;max-age=31536000;path=\/;samesite=lax;secure$/);
    expect(written[1]).toMatch(/^lt_v=[a-z0-9]+;max-age=31536000;path=\/;samesite=lax$/);
  });

  it('is forgotten by clear()', () => {
    const [visitor, , clear] = fresh();
    const id = visitor();
    clear();
    expect(readCookie()).toBeUndefined();
    expect(localStorage.lt_v).toBeUndefined();
    expect(visitor()).not.toBe(id);
  });
});

describe('session id', () => {
  it('rotates after the timeout without activity, and activity keeps it', () => {
    const [, session] = fresh(1000);
    const first = session(10_000);
    expect(session(10_999)).toBe(first);
    expect(session(11_900)).toBe(first);
    const second = session(12_900);
    expect(second).not.toBe(first);
    // Another tab (another identity on the same storage) shares it.
    expect(fresh(1000)[1](13_000)).toBe(second);
  });

  it('defaults to 30 minutes', () => {
    const [, session] = fresh();
    const first = session(0);
    expect(session(29 * 60_000)).toBe(first);
    expect(session(29 * 60_000 + 30 * 60_000)).not.toBe(first);
  });
});

describe('storage that throws', () => {
  it('degrades to memory without errors', () => {
    const blocked = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    vi.stubGlobal('localStorage', new Proxy({}, { get: blocked, set: blocked, deleteProperty: blocked }));
    const spies = [vi.spyOn(document, 'cookie', 'get'), vi.spyOn(document, 'cookie', 'set')];
    for (const spy of spies) spy.mockImplementation(blocked);
    try {
      const store = openStore();
      const [visitor, session, clear] = createIdentity(store, 1000);
      const id = visitor();
      expect(visitor()).toBe(id);
      const s = session(5);
      expect(session(6)).toBe(s);
      expect(store.lt_s).toBe(`${s}.6`);
      expect(() => clear()).not.toThrow();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('treats a localStorage whose writes throw (old private modes) as missing', () => {
    const real = localStorage;
    const quota = () => {
      throw new DOMException('quota', 'QuotaExceededError');
    };
    vi.stubGlobal('localStorage', new Proxy(real, { set: quota }));
    const store = openStore();
    store.lt_v = 'x';
    expect(real.lt_v).toBeUndefined();
    expect(createIdentity(store, 1)[0]()).toBe('x');
  });
});
