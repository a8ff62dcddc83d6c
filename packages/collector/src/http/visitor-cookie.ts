import { VISITOR_COOKIE, VISITOR_ID_PATTERN } from '@lasttouch/shared';

/** 400 days, the longest lifetime browsers grant a cookie. */
export const VISITOR_COOKIE_MAX_AGE = 34_560_000;

/**
 * Whether a browser's request comes from the same site as the collector. `Sec-Fetch-Site` is the
 * browser's own answer (it knows the public suffix list) and decides when present. Without it
 * (older browsers) the `Origin` must be the collector's own host or one of its subdomains, on
 * the same scheme: a subdomain of a host that serves the collector is never a public suffix, so
 * it shares its registrable domain. Nothing else counts: a cross-site page gets no cookie.
 */
export function sameSite(request: Request): boolean {
  const fetchSite = request.headers.get('Sec-Fetch-Site');
  if (fetchSite !== null) return fetchSite === 'same-origin' || fetchSite === 'same-site';
  const origin = request.headers.get('Origin');
  if (origin === null) return false;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  const to = new URL(request.url);
  return from.protocol === to.protocol && (from.hostname === to.hostname || from.hostname.endsWith(`.${to.hostname}`));
}

/**
 * The `Set-Cookie` of an events answer on a first-party mount: the visitor cookie, set by the
 * server so that browsers which cap storage written by scripts (Safari: 7 days) keep it for 400
 * days. Only for a same-site request, and only when every event of the batch carries the same
 * visitor id of the SDK's shape; `undefined` otherwise.
 *
 * @example visitorCookie(c.req.raw, accepted.map((e) => e.v)) // 'lt_v=…; Max-Age=34560000; Path=/; SameSite=Lax; Secure'
 */
export function visitorCookie(request: Request, visitorIds: readonly string[]): string | undefined {
  const [id] = visitorIds;
  if (id === undefined || !VISITOR_ID_PATTERN.test(id) || visitorIds.some((v) => v !== id)) return undefined;
  if (!sameSite(request)) return undefined;
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  return `${VISITOR_COOKIE}=${id}; Max-Age=${VISITOR_COOKIE_MAX_AGE}; Path=/; SameSite=Lax${secure}`;
}
