/**
 * Tagged-link tokens (`lt_c`). A token is 30 bytes, base64url-encoded to 40 characters:
 *
 * | bytes | field |
 * | --- | --- |
 * | 0 | version (2) |
 * | 1 | key id: which of the site's link secrets signed it (they rotate) |
 * | 2–9 | link id: 8 random bytes, the key of the `links` row |
 * | 10–13 | issue time, whole seconds since the epoch, unsigned big-endian |
 * | 14–29 | MAC: the first 16 bytes of HMAC-SHA256(link secret, domain ‖ site id ‖ bytes 0–13) |
 *
 * The conversation, channel and agent stay in the collector (the `links` row), so a token is
 * short whatever their length and reveals nothing about the chat. The site id is bound into the
 * MAC rather than carried, so a token of another site fails exactly like a forged one. A token
 * is genuine for `LIMITS.tokenLifetimeMs` (400 days) after issue, whatever the attribution
 * windows: a window starts at the landing, not at the issue.
 */

import { LIMITS } from '@lasttouch/shared';
import { fromBase64Url, randomToken, toBase64Url } from '../crypto/base64url.js';
import { hmacSha256 } from '../crypto/hmac.js';

export const TOKEN_VERSION = 2;
const LINK_ID_BYTES = 8;
const MAC_BYTES = 16;
const BODY_BYTES = 2 + LINK_ID_BYTES + 4;
const TOKEN_BYTES = BODY_BYTES + MAC_BYTES;
/** 30 bytes is a multiple of 3: every character carries 6 bits, so no two spellings decode alike. */
export const TOKEN_LENGTH = (TOKEN_BYTES / 3) * 4;

const DOMAIN = new TextEncoder().encode('lasttouch-link-v2:');

/**
 * Why a landing's token earns nothing: `forged` (malformed, altered, signed by no key of this
 * site, or claiming an issue time in the future) or `expired` (genuine, but older than its
 * lifetime at the landing).
 */
export type TokenFailure = 'forged' | 'expired';

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
  return (await hmacSha256(secret, message)).subarray(0, MAC_BYTES);
}

/** A new random link id (11 URL-safe characters). */
export const newLinkId = (): string => randomToken(LINK_ID_BYTES);

/** A site's link secrets by key id; the highest id signs new tokens. */
export type LinkSecrets = ReadonlyMap<number, string>;

/**
 * Signs a token for a link issued at `issuedAt` (UTC ms, truncated to seconds) with key `keyId`.
 *
 * @example await signToken({ siteId, keyId: 1, secret, linkId: newLinkId(), issuedAt: Date.now() })
 */
export async function signToken(input: {
  siteId: string;
  keyId: number;
  secret: string;
  linkId: string;
  issuedAt: number;
}): Promise<string> {
  const id = fromBase64Url(input.linkId);
  if (id?.length !== LINK_ID_BYTES) throw new Error('link id must be 8 bytes of base64url');
  if (!Number.isInteger(input.keyId) || input.keyId < 0 || input.keyId > 255) throw new Error('key id out of range');
  const seconds = Math.floor(input.issuedAt / 1000);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffff_ffff) throw new Error('issue time out of range');
  const body = new Uint8Array(BODY_BYTES);
  body[0] = TOKEN_VERSION;
  body[1] = input.keyId;
  body.set(id, 2);
  new DataView(body.buffer).setUint32(2 + LINK_ID_BYTES, seconds);
  const token = new Uint8Array(TOKEN_BYTES);
  token.set(body, 0);
  token.set(await mac(input.secret, input.siteId, body), BODY_BYTES);
  return toBase64Url(token);
}

/**
 * Checks a token's MAC under the site's secret it names (constant time), then its time: issued
 * no later than `now` plus clock skew, and no more than the token lifetime before `landedAt`.
 * The MAC is checked first so nothing about an unsigned token (its claimed time) is trusted.
 */
export async function verifyToken(
  token: string,
  input: { siteId: string; secrets: LinkSecrets; landedAt: number; now: number },
): Promise<TokenCheck> {
  const forged = { ok: false, reason: 'forged' } as const;
  if (token.length !== TOKEN_LENGTH) return forged;
  const bytes = fromBase64Url(token);
  if (bytes?.length !== TOKEN_BYTES || bytes[0] !== TOKEN_VERSION) return forged;
  const secret = input.secrets.get(bytes[1]!);
  if (secret === undefined) return forged;
  const body = bytes.subarray(0, BODY_BYTES);
  const expected = await mac(secret, input.siteId, body);
  if (!crypto.subtle.timingSafeEqual(expected, bytes.subarray(BODY_BYTES))) return forged;
  const issuedAt = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2 + LINK_ID_BYTES) * 1000;
  if (issuedAt > input.now + LIMITS.futureSkewMs) return forged;
  if (input.landedAt - issuedAt > LIMITS.tokenLifetimeMs) return { ok: false, reason: 'expired' };
  return { ok: true, linkId: toBase64Url(bytes.subarray(2, 2 + LINK_ID_BYTES)), issuedAt };
}
