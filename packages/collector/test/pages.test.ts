/**
 * The HTML pages the collector serves: the demo storefront (`/demo`) and the agent link page
 * (`/agent`). Every one carries CSP (no inline script without a nonce or hash, no framing) and
 * nosniff, and data reaching a page is written as text (issue 8, item 7). The agent page's own
 * script is run with markup in API answers in src/links/agent-page.dom.spec.ts.
 */
import { env } from 'cloudflare:workers';
import { KNOWN_CHANNELS } from '@lasttouch/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import demoSite from '../scripts/demo-site.json';
import { AGENT_HTML, AGENT_SCRIPT, AGENT_STYLE } from '../src/links/agent-page-html.js';
import { cspDirectives } from './csp.js';
import { call, createSite, postEvents } from './helpers.js';
import { widgetEvent } from './sdk-events.js';

const MARKUP = '"><script>alert(1)</script><img src=x onerror=alert(1)>';

/** The demo is served only where `pnpm dev` seeded its site: these tests seed it as that does. */
const seedDemo = () =>
  env.DB.prepare(
    'insert or ignore into sites (id, name, settings, database, settings_version, created_at) values (?, ?, ?, ?, 0, 0)',
  )
    .bind(demoSite.siteId, demoSite.name, '{"allowedOrigins":[]}', 'DB')
    .run();
const unseedDemo = () => env.DB.prepare('delete from sites where id = ?').bind(demoSite.siteId).run();

beforeAll(seedDemo);
afterAll(unseedDemo);

const sha256 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));

function expectSecureHtml(res: Response, what: string) {
  expect(res.status, what).toBe(200);
  expect(res.headers.get('Content-Type'), what).toMatch(/^text\/html/);
  expect(res.headers.get('X-Content-Type-Options'), what).toBe('nosniff');
  const csp = cspDirectives(res.headers.get('Content-Security-Policy') ?? '');
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

describe('GET /demo', () => {
  it('serves the storefront with the collector origin in the script tag and a strict CSP', async () => {
    for (const path of ['/demo', '/demo/']) {
      const res = await call(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('Content-Type')).toContain('text/html');
      const html = await res.text();
      expect(html).toContain(`data-site="${demoSite.writeKey}" data-api="https://collector.test"`);
      expect(html).toContain(`data-agent-key="${demoSite.agentKey}"`);
      for (const kind of ['popup', 'notification', 'block']) expect(html).toContain(`data-lt-widget="${kind}"`);
      expect(html).toContain('data-lt-dismiss');

      const csp = res.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
      expect(nonce).toBeTruthy();
      const inline = html.slice(html.indexOf(`<script nonce="${nonce}">`));
      expect(inline.slice(0, inline.indexOf('</script>'))).toContain('window.lasttouch=window.lasttouch||function(){');
    }
  });

  it("serves the demo's files through the worker, with nosniff", async () => {
    for (const path of ['/demo/demo.js', '/demo/demo.css']) {
      const res = await call(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
    }
  });

  it('is not there where the demo site is not seeded: any deploy but local development', async () => {
    await unseedDemo();
    try {
      for (const path of ['/demo', '/demo/', '/demo/index.html', '/demo/demo.js', '/demo/demo.css', '/demo/x']) {
        const res = await call(path);
        expect(res.status, path).toBe(404);
        expect(res.headers.get('Content-Type'), path).toMatch(/^application\/json/);
        const text = await res.text();
        expect(text).not.toContain(demoSite.writeKey);
        expect(text).not.toContain(demoSite.agentKey);
      }
    } finally {
      await seedDemo();
    }
    expect((await call('/demo')).status).toBe(200);
    console.log('[robustness] pages: /demo and its files answer 404 where the demo site is not seeded');
  });

  it('is served to a request from this machine (wrangler dev), seeded or not', async () => {
    await unseedDemo();
    try {
      for (const address of ['127.0.0.1', '::1']) {
        const res = await call('/demo/', { headers: { 'CF-Connecting-IP': address } });
        expect(res.status, address).toBe(200);
        expect(await res.text()).toContain('data-api="https://collector.test"');
      }
      expect((await call('/demo/', { headers: { 'CF-Connecting-IP': '203.0.113.5' } })).status).toBe(404);
    } finally {
      await seedDemo();
    }
  });

  it('serves the SDK with a short cache and the versioned copy immutable', async () => {
    const latest = await env.ASSETS.fetch('https://collector.test/lasttouch.js');
    expect(latest.status, 'public/lasttouch.js is copied from the SDK build: run `pnpm build` first').toBe(200);
    expect(latest.headers.get('Cache-Control')).toBe('public, max-age=3600');
    const { version } = await import('../../sdk/package.json');
    const versioned = await env.ASSETS.fetch(`https://collector.test/v/${version}/lasttouch.js`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('Cache-Control')).toContain('immutable');
    expect(await versioned.text()).toBe(await latest.text());
  });
});

describe('GET /agent', () => {
  it('serves the page as HTML with a form for url, conversation, channel and agent', async () => {
    const res = await call('/agent');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html; charset=utf-8/i);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="en">');
    for (const id of ['key', 'url', 'conversation', 'channel', 'agent', 'tagged', 'copy']) {
      expect(html, id).toContain(`id="${id}"`);
      if (!['copy'].includes(id)) expect(html, `label for ${id}`).toContain(`<label for="${id}"`);
    }
    for (const channel of KNOWN_CHANNELS) expect(html).toContain(`<option value="${channel}">`);
    expect(html).toContain('role="alert"');
  });

  it('sends security headers whose CSP allows exactly its own inline script and style', async () => {
    const res = await call('/agent');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    const csp = cspDirectives(res.headers.get('Content-Security-Policy') ?? '');
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual([`'sha256-${await sha256(AGENT_SCRIPT)}'`]);
    expect(csp.get('style-src')).toEqual([`'sha256-${await sha256(AGENT_STYLE)}'`]);

    const html = await res.text();
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual([AGENT_SCRIPT]);
    expect([...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1])).toEqual([AGENT_STYLE]);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('writes data only as text: no HTML sinks in its script', () => {
    expect(AGENT_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(AGENT_SCRIPT).toContain('error.textContent = message');
    expect(AGENT_SCRIPT).toContain('tagged.value = data.url');
  });
});
