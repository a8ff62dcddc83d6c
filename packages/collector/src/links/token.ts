/**
 * Tagged-link tokens (`lt_c`). A token is 30 bytes, base64url-encoded to 40 characters:
 *
 * | bytes | field |
 * | --- | --- |
 * | 0 | version (1) |
 * | 1–9 | link id: 9 random bytes, the key of the `links` row |
 * | 10–13 | issue time, whole seconds since the epoch, unsigned big-endian |
 * | 14–29 | MAC: the first 16 bytes of HMAC-SHA256(site link secret, domain ‖ site id ‖ bytes 0–13) |
 *
 * The conversation, channel and agent stay in the collector (the `links` row), so a token is
 * short whatever their length and reveals nothing about the chat. The site id is bound into the
 * MAC rather than carried, so a token of another site fails exactly like a forged one.
 */

import { LIMITS } from '@lasttouch/shared';
import { fromBase64Url, randomToken, toBase64Url } from '../crypto/base64url.js';
import { hmacSha256 } from '../crypto/hmac.js';

const TOKEN_VERSION = 1;
const LINK_ID_BYTES = 9;
const MAC_BYTES = 16;
const BODY_BYTES = 1 + LINK_ID_BYTES + 4;
const TOKEN_BYTES = BODY_BYTES + MAC_BYTES;
/** 30 bytes is a multiple of 3: every character carries 6 bits, so no two spellings decode alike. */
export const TOKEN_LENGTH = (TOKEN_BYTES / 3) * 4;

const DOMAIN = new TextEncoder().encode('lasttouch-link-v1:');

export type TokenFailure = 'malformed' | 'signature' | 'expired' | 'future';

export interface TokenClaims {
  linkId: string;
  /** Issue time, UTC ms (whole seconds). */
  issuedAt: number;
}

export type TokenCheck = ({ ok: true } & TokenClaims) | { ok: false; reason: TokenFailure };

async function mac(secret: string, siteId: string, body: Uint8Array): Promise<Uint8Array> {
  const site = new TextEncoder().encode(`${siteId}:`);
  const message = new Uint8Array(DOMAIN.length + site.length + body.length);
  message.set(DOMAIN, 0);
  message.set(site, DOMAIN.length);
  message.set(body, DOMAIN.length + site.length);
  return new Uint8Array(await hmacSha256(secret, message), 0, MAC_BYTES);
}

/** A new random link id (12 URL-safe characters). */
export const newLinkId = (): string => randomToken(LINK_ID_BYTES);

/**
 * Signs a token for a link issued at `issuedAt` (UTC ms, truncated to seconds).
 *
 * @example await signToken({ siteId, secret: site.linkSecret, linkId: newLinkId(), issuedAt: Date.now() })
 */
export async function signToken(input: {
  siteId: string;
  secret: string;
  linkId: string;
  issuedAt: number;
}): Promise<string> {
  const id = fromBase64Url(input.linkId);
  if (id?.length !== LINK_ID_BYTES) throw new Error('link id must be 9 bytes of base64url');
  const seconds = Math.floor(input.issuedAt / 1000);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffff_ffff) throw new Error('issue time out of range');
  const body = new Uint8Array(BODY_BYTES);
  body[0] = TOKEN_VERSION;
  body.set(id, 1);
  new DataView(body.buffer).setUint32(1 + LINK_ID_BYTES, seconds);
  const token = new Uint8Array(TOKEN_BYTES);
  token.set(body, 0);
  token.set(await mac(input.secret, input.siteId, body), BODY_BYTES);
  return toBase64Url(token);
}

/**
 * Checks a token's MAC under the site's secret (constant time), then its age: issued no later
 * than `now` (plus clock skew) and no more than `maxAgeMs` before `landedAt`. The MAC is checked
 * first so nothing about an unsigned token (its claimed time) is ever trusted.
 */
export async function verifyToken(
  token: string,
  input: { siteId: string; secret: string; landedAt: number; now: number; maxAgeMs: number },
): Promise<TokenCheck> {
  if (token.length !== TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const bytes = fromBase64Url(token);
  if (bytes?.length !== TOKEN_BYTES || bytes[0] !== TOKEN_VERSION) return { ok: false, reason: 'malformed' };
  const body = bytes.subarray(0, BODY_BYTES);
  const expected = await mac(input.secret, input.siteId, body);
  if (!crypto.subtle.timingSafeEqual(expected, bytes.subarray(BODY_BYTES))) return { ok: false, reason: 'signature' };
  const issuedAt = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1 + LINK_ID_BYTES) * 1000;
  if (issuedAt > input.now + LIMITS.futureSkewMs) return { ok: false, reason: 'future' };
  if (input.landedAt - issuedAt > input.maxAgeMs) return { ok: false, reason: 'expired' };
  return { ok: true, linkId: toBase64Url(bytes.subarray(1, 1 + LINK_ID_BYTES)), issuedAt };
}
