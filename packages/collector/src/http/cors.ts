import type { Settings } from '@lasttouch/shared';
import { originMatches } from '@lasttouch/shared/validate';
import { createMiddleware } from 'hono/factory';

/**
 * Whether a request may send events for a site. Requests without an Origin come from servers
 * and apps, not from another site's pages. A site with no allowed origins accepts any, so a
 * first install works before it is configured (settings say so with `acceptsAnyOrigin`).
 * `https://*.shop.example` admits the subdomains of shop.example (`originMatches`).
 */
export const originAllowed = (settings: Settings, origin: string | undefined): boolean =>
  origin === undefined || settings.allowedOrigins.length === 0 || originMatches(settings.allowedOrigins, origin);

/**
 * CORS for the event endpoint. Which origins may *send* is decided per site once the key is
 * known (a denied origin gets 403 and nothing is stored), which a preflight cannot know: it
 * carries no key. So the request's origin is echoed on every answer, errors included, letting
 * the SDK read a 4xx and stop retrying instead of seeing an opaque network failure.
 *
 * @example events.use(eventsCors())
 */
export const eventsCors = () =>
  createMiddleware(async function eventsCors(c, next) {
    const origin = c.req.header('Origin');
    if (c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': origin ?? '*',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization',
        'Access-Control-Max-Age': '86400',
        Vary: 'Origin',
      });
    }
    await next();
    if (origin) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
    }
    c.res.headers.append('Vary', 'Origin');
  });
