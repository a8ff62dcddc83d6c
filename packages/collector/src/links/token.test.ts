import { LIMITS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../crypto/base64url.js';
import { newLinkId, signToken, TOKEN_LENGTH, verifyToken } from './token.js';

const SITE = 'site-a';
const SECRET = 'c2VjcmV0LW9mLXNpdGUtYQ';
const ISSUED = Date.UTC(2026, 10, 20, 12, 0, 0);
const DAY = 86_400_000;
const linkId = 'AAECAwQFBgc';

const sign = (over: Partial<Parameters<typeof signToken>[0]> = {}) =>
  signToken({ siteId: SITE, keyId: 1, secret: SECRET, linkId, issuedAt: ISSUED, ...over });

const verify = (token: string, over: Partial<Parameters<typeof verifyToken>[1]> = {}) =>
  verifyToken(token, {
    siteId: SITE,
    secrets: new Map([[1, SECRET]]),
    landedAt: ISSUED + 1000,
    now: ISSUED + 2000,
    ...over,
  });

/** Every base64url character but `c`. */
const otherChars = (c: string) =>
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].filter((x) => x !== c);

describe('link token', () => {
  it('is 40 URL-safe characters and round-trips the link id and issue second', async () => {
    const token = await sign({ issuedAt: ISSUED + 999 });
    expect(token).toHaveLength(TOKEN_LENGTH);
    expect(TOKEN_LENGTH).toBe(40);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await verify(token)).toEqual({ ok: true, linkId, issuedAt: ISSUED });
  });

  it('gives a new random link id each time', () => {
    const ids = new Set(Array.from({ length: 50 }, newLinkId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(fromBase64Url(id)).toHaveLength(8);
  });

  it('refuses a token with any single character changed, at every position', async () => {
    const token = await sign();
    for (let i = 0; i < token.length; i++) {
      const char = token[i]!;
      // One replacement per position keeps the test fast; the first differs in the high bits.
      for (const replacement of [otherChars(char)[0]!, otherChars(char).at(-1)!]) {
        const altered = token.slice(0, i) + replacement + token.slice(i + 1);
        const result = await verify(altered);
        expect(result.ok, `position ${i} → ${replacement}`).toBe(false);
      }
    }
  });

  it('refuses each field changed even when the rest is consistent', async () => {
    const bytes = fromBase64Url(await sign())!;
    for (let i = 0; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i]! ^= 0x01;
      const result = await verify(toBase64Url(copy));
      expect(result, `byte ${i}`).toEqual({ ok: false, reason: 'forged' });
    }
  });

  it('refuses truncated, extended, padded, empty and non-base64url tokens as forged', async () => {
    const token = await sign();
    for (const bad of [
      token.slice(0, -1),
      token.slice(0, 39),
      `${token}A`,
      `${token}=`,
      '',
      `${token.slice(0, -1)}.`,
      token.slice(4),
    ]) {
      expect(await verify(bad), bad).toEqual({ ok: false, reason: 'forged' });
    }
  });

  it('refuses a forged token signed under another secret', async () => {
    const forged = await sign({ secret: 'not-the-site-secret' });
    expect(await verify(forged)).toEqual({ ok: false, reason: 'forged' });
  });

  it("refuses another site's token, even if both sites had the same secret", async () => {
    const other = await sign({ siteId: 'site-b' });
    expect(await verify(other)).toEqual({ ok: false, reason: 'forged' });
    expect((await verify(other, { siteId: 'site-b' })).ok).toBe(true);
  });

  it('stays genuine for 400 days from issue to landing, whatever the windows, then expires', async () => {
    const token = await sign();
    const life = LIMITS.tokenLifetimeMs;
    expect((await verify(token, { landedAt: ISSUED + life, now: ISSUED + life + DAY })).ok).toBe(true);
    expect(await verify(token, { landedAt: ISSUED + life + 1000, now: ISSUED + life + DAY })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('verifies a token under the key id it names, so old tokens outlive a rotation', async () => {
    const old = await sign({ keyId: 1 });
    const fresh = await sign({ keyId: 2, secret: 'rotated-secret' });
    const both = new Map([
      [1, SECRET],
      [2, 'rotated-secret'],
    ]);
    expect((await verify(old, { secrets: both })).ok).toBe(true);
    expect((await verify(fresh, { secrets: both })).ok).toBe(true);
    expect(await verify(fresh)).toEqual({ ok: false, reason: 'forged' });
    expect(await verify(old, { secrets: new Map([[2, 'rotated-secret']]) })).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token issued in the future beyond clock skew', async () => {
    const token = await sign({ issuedAt: ISSUED + 10 * 60_000 });
    expect(await verify(token, { now: ISSUED })).toEqual({ ok: false, reason: 'forged' });
    const nearly = await sign({ issuedAt: ISSUED + 60_000 });
    expect((await verify(nearly, { now: ISSUED })).ok).toBe(true);
  });

  it('checks the signature before trusting the claimed time', async () => {
    const forgedExpired = await sign({ secret: 'x', issuedAt: ISSUED - 100 * DAY });
    expect(await verify(forgedExpired)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses to sign a link id of the wrong size', async () => {
    await expect(sign({ linkId: 'short' })).rejects.toThrow(/8 bytes/);
  });
});
