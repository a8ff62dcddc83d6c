import { LINK_PARAM } from '@lasttouch/shared';
import { originMatches } from '@lasttouch/shared/validate';

export type TagUrlResult = { ok: true; url: string } | { ok: false; code: string; message: string };

/** Whether a raw query part (`name=value` or `name`) is the link parameter, however it is encoded. */
function isLinkParam(part: string): boolean {
  const name = part.split('=', 1)[0]!;
  try {
    return decodeURIComponent(name.replaceAll('+', ' ')) === LINK_PARAM;
  } catch {
    return false;
  }
}

/**
 * Adds `lt_c=TOKEN` to an absolute http(s) url on one of `allowedOrigins` (a wildcard entry
 * such as `https://*.shop.example` admits its subdomains), replacing any `lt_c` it already holds. The other query parts and the hash are kept byte for byte (the query is
 * edited as text, not re-serialized, so `%20` stays `%20`).
 *
 * An empty `allowedOrigins` tags nothing: a tagger that accepted any origin would let anyone
 * holding an agent key mint signed links to other domains.
 */
export function tagUrl(raw: string, token: string, allowedOrigins: readonly string[]): TagUrlResult {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      ok: false,
      code: 'invalid_url',
      message: 'url must be an absolute http(s) url such as https://shop.example/p/1',
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, code: 'invalid_url', message: `url must use http or https, not ${url.protocol}` };
  }
  if (url.username || url.password) {
    return { ok: false, code: 'invalid_url', message: 'url may not hold a user name or password' };
  }
  if (allowedOrigins.length === 0) {
    return {
      ok: false,
      code: 'no_allowed_origins',
      message: 'This site has no allowed origins: set allowedOrigins (PUT /v1/settings) before tagging links',
    };
  }
  if (!originMatches(allowedOrigins, url.origin)) {
    return {
      ok: false,
      code: 'origin_not_allowed',
      message: `${url.origin} is not one of the site's allowed origins (${allowedOrigins.join(', ')})`,
    };
  }
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((part) => part !== '' && !isLinkParam(part));
  const search = `?${[...kept, `${LINK_PARAM}=${token}`].join('&')}`;
  return { ok: true, url: `${url.origin}${url.pathname}${search}${url.hash}` };
}
