import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import demoSite from '../scripts/demo-site.json';
import { call } from './helpers.js';

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
