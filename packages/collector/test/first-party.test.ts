/**
 * The first-party mount (contract sections 3 and 6, docs/first-party.md): the collector answers
 * under its base path as at its root, serving the tag there too, and its answer to a same-site
 * batch sets the visitor cookie, after checking the id's shape, never for a cross-site page.
 * The same in Chromium: e2e/first-party.e2e.test.ts.
 */
import { env, exports } from 'cloudflare:workers';
import { VISITOR_ID_PATTERN } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { BASE_URL, call, callWithKey, createSite, eventually, uid } from './helpers.js';
import { widgetEvent } from './sdk-events.js';

const BASE = env.BASE_PATH;

/** A visitor id of the SDK's shape. */
const visitorId = () => crypto.randomUUID().replaceAll('-', '').slice(0, 24);

describe('the base path', () => {
  it('is /lt by default (wrangler.jsonc)', () => {
    expect(BASE).toBe('/lt');
  });

  it('answers the API there as at the root', async () => {
    const site = await createSite();
    expect(await (await call(`${BASE}/health`)).json()).toEqual({ ok: true });
    const res = await call(`${BASE}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ k: site.writeKey, e: [widgetEvent({ w: 'mounted' })] }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const settings = await callWithKey(site.readKey, `${BASE}/v1/settings`);
    expect(settings.status).toBe(200);
    await eventually(async () => {
      const stats = await callWithKey(site.readKey, `${BASE}/v1/stats/widgets`);
      expect((await stats.json<{ rows: { id: string }[] }>()).rows.map((r) => r.id)).toContain('mounted');
    });
    // Not strict about a trailing slash there either; keys still required.
    expect((await call(`${BASE}/v1/settings/`)).status).toBe(401);
  });

  it('serves the tag there, the same file as at the root', async () => {
    const root = await env.ASSETS.fetch(`${BASE_URL}/lasttouch.js`);
    expect(root.status, 'public/lasttouch.js is copied from the SDK build: run `pnpm build` first').toBe(200);
    const mounted = await call(`${BASE}/lasttouch.js`);
    expect(mounted.status).toBe(200);
    expect(mounted.headers.get('Content-Type')).toMatch(/javascript/);
    expect(mounted.headers.get('Cache-Control')).toBe(root.headers.get('Cache-Control'));
    expect(await mounted.text()).toBe(await root.text());
    expect((await call(`${BASE}/lasttouch.debug.js`)).status).toBe(200);
    const { version } = await import('../../sdk/package.json');
    expect((await call(`${BASE}/v/${version}/lasttouch.js`)).status).toBe(200);
  });

  it('serves nothing else from the assets, and only that exact prefix', async () => {
    for (const path of [
      `${BASE}/dashboard`,
      `${BASE}/demo/demo.js`,
      `${BASE}x/health`,
      `/x${BASE}/health`,
      `${BASE}/nope.js`,
    ]) {
      // Past the contract check: the document lists the dashboard (at the root).
      const res = await exports.default.fetch(`${BASE_URL}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toMatchObject({ error: { code: 'not_found' } });
    }
    const post = await call(`${BASE}/lasttouch.js`, { method: 'POST' });
    expect(post.status).toBe(404);
  });
});

describe('the visitor cookie of a same-site batch', () => {
  const send = async (headers: Record<string, string>, visitors: string[], url = `${BASE}/v1/events`) => {
    const site = await createSite();
    const res = await call(url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers },
      body: JSON.stringify({ k: site.writeKey, e: visitors.map((v) => widgetEvent({ v })) }),
    });
    expect(res.status).toBe(202);
    return res.headers.get('Set-Cookie');
  };

  it('is set for 400 days, on every path, Lax, Secure on https, when the page is same-origin', async () => {
    const id = visitorId();
    expect(id).toMatch(VISITOR_ID_PATTERN);
    const cookie = await send({ Origin: BASE_URL, 'Sec-Fetch-Site': 'same-origin' }, [id, id, id]);
    expect(cookie).toBe(`lt_v=${id}; Max-Age=34560000; Path=/; SameSite=Lax; Secure`);
  });

  it('is set for a page of the same site, by Sec-Fetch-Site or, without it, by Origin', async () => {
    const id = visitorId();
    expect(await send({ Origin: 'https://www.collector.test', 'Sec-Fetch-Site': 'same-site' }, [id])).toContain(id);
    expect(await send({ Origin: BASE_URL }, [id])).toContain(id);
    expect(await send({ Origin: 'https://www.collector.test' }, [id])).toContain(id);
    // At the root too: what counts is where the page is, not the path.
    expect(await send({ Origin: BASE_URL }, [id], '/v1/events')).toContain(id);
  });

  it('is never set for a cross-site page, nor without a browser', async () => {
    const id = visitorId();
    const crossSite: Record<string, string>[] = [
      { Origin: 'https://shop.example', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'https://shop.example' },
      { Origin: 'https://collector.test.evil.example' },
      { Origin: 'https://evilcollector.test' },
      { Origin: 'http://collector.test' },
      { Origin: 'null' },
      // The browser's own verdict stands over an Origin that looks the same.
      { Origin: BASE_URL, 'Sec-Fetch-Site': 'cross-site' },
      { Origin: BASE_URL, 'Sec-Fetch-Site': 'none' },
      {},
    ];
    for (const headers of crossSite) expect(await send(headers, [id]), JSON.stringify(headers)).toBeNull();
  });

  it("is set only for one visitor id of the SDK's shape", async () => {
    const sameOrigin = { Origin: BASE_URL, 'Sec-Fetch-Site': 'same-origin' };
    expect(await send(sameOrigin, [visitorId(), visitorId()])).toBeNull();
    for (const bad of ['short', 'UPPERCASE0123456789', `${'a'.repeat(33)}`, uid('visitor'), 'a1b2c3d4e5f6g7h8;x=1']) {
      expect(await send(sameOrigin, [bad]), bad).toBeNull();
    }
  });

  it('is not set when no event of the batch is valid', async () => {
    const site = await createSite();
    const id = visitorId();
    const res = await call(`${BASE}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: BASE_URL, 'Sec-Fetch-Site': 'same-origin' },
      body: JSON.stringify({ k: site.writeKey, e: [{ ...widgetEvent({ v: id }), t: 'nope' }] }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 0 });
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('is not set on a refused batch', async () => {
    const site = await createSite({ allowedOrigins: ['https://shop.example'] });
    const res = await exports.default.fetch(`${BASE_URL}${BASE}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: BASE_URL, 'Sec-Fetch-Site': 'same-origin' },
      body: JSON.stringify({ k: site.writeKey, e: [widgetEvent({ v: visitorId() })] }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });
});
