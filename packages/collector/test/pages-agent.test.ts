import { KNOWN_CHANNELS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { AGENT_SCRIPT, AGENT_STYLE } from '../src/links/agent-page-html.js';
import { call } from './helpers.js';

const sha256 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));

/** Directives of a CSP header as a map of name → sources. */
const directives = (csp: string) =>
  Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources]),
  );

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
    const csp = directives(res.headers.get('Content-Security-Policy') ?? '');
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual([`'sha256-${await sha256(AGENT_SCRIPT)}'`]);
    expect(csp['style-src']).toEqual([`'sha256-${await sha256(AGENT_STYLE)}'`]);

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
