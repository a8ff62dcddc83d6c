import { env } from 'cloudflare:workers';
import { KEY_PREFIXES } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { hashKey } from '../src/auth/keys.js';
import { call, callWithKey, createSite } from './helpers.js';

const createRequest = (token: string | undefined, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

describe('POST /v1/sites', () => {
  it('creates a site with one key of each kind, answered once and stored only as hashes', async () => {
    const res = await call(
      '/v1/sites',
      createRequest(env.ADMIN_TOKEN, { name: 'Demo shop', allowedOrigins: ['https://shop.example'] }),
    );
    expect(res.status).toBe(201);
    const site = (await res.json()) as { siteId: string; writeKey: string; agentKey: string; readKey: string };
    expect(site.writeKey.startsWith(KEY_PREFIXES.write)).toBe(true);
    expect(site.agentKey.startsWith(KEY_PREFIXES.agent)).toBe(true);
    expect(site.readKey.startsWith(KEY_PREFIXES.read)).toBe(true);

    const { results } = await env.DB.prepare('select hash, kind from api_keys where site_id = ? order by kind')
      .bind(site.siteId)
      .all<{ hash: string; kind: string }>();
    expect(results).toEqual([
      { hash: await hashKey(site.agentKey), kind: 'agent' },
      { hash: await hashKey(site.readKey), kind: 'read' },
      { hash: await hashKey(site.writeKey), kind: 'write' },
    ]);

    const settings = await (await callWithKey(site.readKey, '/v1/settings')).json();
    expect(settings).toMatchObject({ allowedOrigins: ['https://shop.example'], creditPolicy: 'every' });
  });

  it('keeps no key in clear in any table', async () => {
    const site = await createSite();
    const secrets = [site.writeKey, site.agentKey, site.readKey];
    const { results: tables } = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations'",
    ).all<{ name: string }>();
    expect(tables.map((t) => t.name)).toContain('api_keys');
    for (const { name } of tables) {
      const { results } = await env.DB.prepare(`select * from "${name}"`).all();
      const dump = JSON.stringify(results);
      for (const secret of secrets) expect(dump).not.toContain(secret);
    }
  });

  it('gives every site its own keys and id', async () => {
    const [a, b] = await Promise.all([createSite(), createSite()]);
    expect(a.siteId).not.toBe(b.siteId);
    expect(new Set([a.writeKey, a.agentKey, a.readKey, b.writeKey, b.agentKey, b.readKey]).size).toBe(6);
  });

  it('refuses a missing or wrong admin token with 401', async () => {
    for (const token of [undefined, 'wrong-token', `${env.ADMIN_TOKEN}x`]) {
      const res = await call('/v1/sites', createRequest(token, { name: 'Shop' }));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const { results } = await env.DB.prepare("select id from sites where name = 'Shop'").all();
    expect(results).toHaveLength(0);
  });

  it('is closed with 403 when no ADMIN_TOKEN is configured', async () => {
    const res = await app.request('/v1/sites', createRequest('anything', { name: 'Shop' }), {
      ...env,
      ADMIN_TOKEN: undefined,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: 'admin_disabled', message: expect.stringContaining('ADMIN_TOKEN') },
    });
  });

  it('validates the request', async () => {
    const bad = await call(
      '/v1/sites',
      createRequest(env.ADMIN_TOKEN, { name: 'Shop', allowedOrigins: ['https://shop.example/path'] }),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'invalid_request', details: [{ path: 'allowedOrigins.0', message: expect.any(String) }] },
    });
    const malformed = await call('/v1/sites', { ...createRequest(env.ADMIN_TOKEN, {}), body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'malformed_json' } });
  });
});
