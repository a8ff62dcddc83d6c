import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { randomToken } from '../crypto/base64url.js';
import type { AppEnv } from '../env.js';
import { ApiError } from '../http/errors.js';
import { addressKey, enforceRateLimit, fromLoopback } from '../http/rate-limit.js';
import { htmlSecurityHeaders } from '../http/security-headers.js';
import { demoSiteSeeded } from '../sites/demo.js';

/** The demo's scripts: only from this origin, or inline with the nonce of this response. */
const demoCsp = (nonce: string): string =>
  [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/**
 * The demo is local development's: its page carries the demo site's keys, which are public (in
 * the repository) and work only where `pnpm dev` seeded that site. It is served there, and to a
 * request from this machine (`wrangler dev`, as the e2e suite runs it with its own sites);
 * elsewhere `/demo` and its files are a 404, as if they did not exist. The lookup is limited per
 * address first, like every request that reads D1 without a key.
 */
const onlyInLocalDevelopment = () =>
  createMiddleware<AppEnv>(async function onlyInLocalDevelopment(c, next) {
    if (!fromLoopback(c.req.raw)) {
      const address = await addressKey(c.req.raw);
      if (address !== undefined) await enforceRateLimit(c.env.API_ADDRESS_LIMITER, address, 'address');
      if (!(await demoSiteSeeded(c.env.DB))) {
        throw new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`);
      }
    }
    await next();
  });

/**
 * `GET /demo`: the demo storefront (public/demo/index.html). Its script tag leaves `data-api`
 * empty since a static file cannot know where the collector runs; it is filled with the origin
 * serving the page, and the inline stub gets this response's CSP nonce. The demo's other files
 * (`/demo/demo.js`, …) are served as they are.
 */
export const demo = new Hono<AppEnv>()
  .use(onlyInLocalDevelopment())
  .on('GET', ['/', '/index.html'], async (c) => {
    const page = await c.env.ASSETS.fetch(new URL('/demo/', c.req.url));
    if (!page.ok) return page;
    const origin = new URL(c.req.url).origin;
    const nonce = randomToken(16);
    const rewritten = new HTMLRewriter()
      .on('script[data-site]', {
        element(el) {
          if (!el.getAttribute('data-api')) el.setAttribute('data-api', origin);
        },
      })
      .on('script:not([src])', {
        element(el) {
          el.setAttribute('nonce', nonce);
        },
      })
      .transform(page);
    const headers = new Headers(rewritten.headers);
    for (const [name, value] of Object.entries(htmlSecurityHeaders(demoCsp(nonce)))) headers.set(name, value);
    headers.set('Cache-Control', 'no-cache');
    // Each answer differs (nonce), so the file's validator does not describe it.
    headers.delete('ETag');
    return new Response(rewritten.body, { status: 200, headers });
  })
  .get('/*', (c) => c.env.ASSETS.fetch(c.req.raw));
