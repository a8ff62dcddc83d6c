import { toBase64Url } from '../crypto/base64url.js';
import { hmacSha256 } from '../crypto/hmac.js';

const DOMAIN = 'lasttouch-customer-v1:';

/**
 * The stored form of a store's customer id: HMAC-SHA256 under the site's own customer secret,
 * base64url. Keyed, so a table dump cannot be matched against a list of known customer ids (a
 * plain hash of an email address could); per site, so two sites' hashes of one id differ.
 *
 * @example await customerHash(secret, '12345') // 'q3…' (43 characters)
 */
export async function customerHash(secret: string, customerId: string): Promise<string> {
  return toBase64Url(await hmacSha256(secret, new TextEncoder().encode(DOMAIN + customerId)));
}
