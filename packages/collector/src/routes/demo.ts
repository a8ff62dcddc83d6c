import { Hono } from 'hono';
import { randomToken } from '../crypto/base64url.js';
import type { AppEnv } from '../env.js';
import { htmlSecurityHeaders } from '../http/security-headers.js';

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
 * `GET /demo`: the demo storefront (public/demo/index.html). Its script tag leaves `data-api`
 * empty since a static file cannot know where the collector runs; it is filled with the origin
 * serving the page, and the inline stub gets this response's CSP nonce.
 */
export const demo = new Hono<AppEnv>().on('GET', ['/', '/index.html'], async (c) => {
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
});
