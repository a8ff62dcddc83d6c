/**
 * Issue 8, item 7: every HTML page the collector serves carries CSP (no inline script without a
 * nonce or hash, no framing) and nosniff, and data reaching a page is written as text. The
 * agent page's own script is run with markup in API answers in src/links/agent-page.dom.spec.ts.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { AGENT_HTML } from '../src/links/agent-page-html.js';
import { call, createSite, postEvents, widgetEvent } from './helpers.js';

const MARKUP = '"><script>alert(1)</script><img src=x onerror=alert(1)>';

const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );

function expectSecureHtml(res: Response, what: string) {
  expect(res.status, what).toBe(200);
  expect(res.headers.get('Content-Type'), what).toMatch(/^text\/html/);
  expect(res.headers.get('X-Content-Type-Options'), what).toBe('nosniff');
  const csp = directives(res.headers.get('Content-Security-Policy') ?? '');
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'none'"]);
  expect(csp.has('default-src'), what).toBe(true);
  const scripts = csp.get('script-src') ?? csp.get('default-src') ?? [];
  expect(scripts, what).not.toContain("'unsafe-inline'");
  expect(scripts, what).not.toContain("'unsafe-eval'");
  expect(scripts, what).not.toContain('*');
}

describe('pages', () => {
  it('every HTML page carries CSP, nosniff and frame-ancestors', async () => {
    const pages = ['/agent', '/agent/', '/demo', '/demo/', '/demo/index.html'];
    for (const path of pages) expectSecureHtml(await call(path), path);
    console.log(
      `[robustness] pages: ${pages.length} HTML routes with CSP (no unsafe-inline), nosniff, frame-ancestors 'none'`,
    );
  });

  it('the agent page is the same bytes whatever the request carries: nothing is reflected', async () => {
    const res = await call(`/agent?conversation=${encodeURIComponent(MARKUP)}#${MARKUP}`, {
      headers: {
        Referer: `https://x.example/${MARKUP}`,
        'User-Agent': MARKUP,
        Cookie: `a=${encodeURIComponent(MARKUP)}`,
      },
    });
    expectSecureHtml(res, '/agent with markup');
    expect(await res.text()).toBe(AGENT_HTML);
  });

  it('the demo page reflects nothing of the request but its own origin', async () => {
    const res = await call(`/demo/?lt_c=${encodeURIComponent(MARKUP)}&q=${encodeURIComponent(MARKUP)}`, {
      headers: { Referer: `https://x.example/${MARKUP}`, 'User-Agent': MARKUP, 'X-Forwarded-Host': 'evil.example' },
    });
    expectSecureHtml(res, 'demo with markup');
    const html = await res.text();
    expect(html).not.toContain('alert(1)');
    expect(html).not.toContain('evil.example');
    expect(html.match(/<script[^>]*data-site[^>]*>/)?.[0]).toContain('data-api="https://collector.test"');
  });

  it('API answers that echo input are JSON, never HTML', async () => {
    const site = await createSite({ allowedOrigins: ['https://shop.example'] });
    const answers = [
      await call(`/v1/${encodeURIComponent(MARKUP)}`),
      await call(`/${MARKUP.replaceAll('"', '%22')}`),
      await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://x<script>.example' }),
      await postEvents(site.writeKey, [{ t: MARKUP }]),
    ];
    for (const res of answers) {
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('static assets are served with nosniff', async () => {
    for (const path of ['/lasttouch.js', '/demo/demo.js', '/demo/demo.css']) {
      const res = await env.ASSETS.fetch(`https://collector.test${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
    }
  });
});
