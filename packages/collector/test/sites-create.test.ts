import { env } from 'cloudflare:workers';
import { KEY_PREFIXES } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { hashKey } from '../src/auth/keys.js';
import { BASE_URL, call, callWithKey, createSite } from './helpers.js';

const createRequest = (token: string | undefined, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

const siteRow = (siteId: string) =>
  env.DB.prepare('select name, database, settings_version as version from sites where id = ?')
    .bind(siteId)
    .first<{ name: string; database: string; version: number }>();

/** Every row of every table of a database, as one string. */
async function dump(db: D1Database): Promise<string> {
  const { results: tables } = await db
    .prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name != 'd1_migrations'",
    )
    .all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables)
    parts.push(JSON.stringify((await db.prepare(`select * from "${name}"`).all()).results));
  return parts.join('\n');
}

describe('POST /v1/sites', () => {
  it('creates a site with one key of each kind, answered once and stored only as hashes', async () => {
    const res = await call(
      '/v1/sites',
      createRequest(env.ADMIN_TOKEN, { name: 'Demo shop', allowedOrigins: ['https://shop.example'], database: 'DB' }),
    );
    expect(res.status).toBe(201);
    const site = await res.json<{ siteId: string; writeKey: string; agentKey: string; readKey: string }>();
    expect(Object.keys(site).sort()).toEqual(['agentKey', 'readKey', 'siteId', 'writeKey']);
    expect(site.writeKey.startsWith(KEY_PREFIXES.write)).toBe(true);
    expect(site.agentKey.startsWith(KEY_PREFIXES.agent)).toBe(true);
    expect(site.readKey.startsWith(KEY_PREFIXES.read)).toBe(true);

    const { results } = await env.DB.prepare(
      'select hash, kind, expires_at from api_keys where site_id = ? order by kind',
    )
      .bind(site.siteId)
      .all<{ hash: string; kind: string; expires_at: number | null }>();
    expect(results).toEqual([
      { hash: await hashKey(site.agentKey), kind: 'agent', expires_at: null },
      { hash: await hashKey(site.readKey), kind: 'read', expires_at: null },
      { hash: await hashKey(site.writeKey), kind: 'write', expires_at: null },
    ]);
    expect(await siteRow(site.siteId)).toEqual({ name: 'Demo shop', database: 'DB', version: 0 });

    expect(await (await callWithKey(site.readKey, '/v1/settings')).json()).toEqual({
      allowedOrigins: ['https://shop.example'],
      acceptsAnyOrigin: false,
      attributionWindows: { default: 1_209_600, kinds: {}, channels: {}, campaigns: {} },
      creditPolicy: 'every',
      timezone: 'UTC',
    });
  });

  it('gives the site a link key (id 1) and a customer-hash key, never answered', async () => {
    const site = await createSite();
    const { results } = await env.DB.prepare(
      'select purpose, key_id as keyId, secret from site_secrets where site_id = ? order by purpose',
    )
      .bind(site.siteId)
      .all<{ purpose: string; keyId: number; secret: string }>();
    expect(results.map((r) => [r.purpose, r.keyId])).toEqual([
      ['customer', 1],
      ['link', 1],
    ]);
    expect(new Set(results.map((r) => r.secret)).size).toBe(2);
    for (const r of results) expect(r.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps its days in the time zone it is given', async () => {
    const site = await createSite({ timezone: 'Asia/Kathmandu' });
    expect(await (await callWithKey(site.readKey, '/v1/settings')).json()).toMatchObject({
      timezone: 'Asia/Kathmandu',
    });
    const stats = await (await callWithKey(site.readKey, '/v1/stats/widgets')).json<{ timezone: string }>();
    expect(stats.timezone).toBe('Asia/Kathmandu');
  });

  it('refuses a time zone that is not an IANA name, naming the field', async () => {
    for (const timezone of ['Mars/Olympus', '+02:00', 'UTC+2', '']) {
      const res = await call('/v1/sites', createRequest(env.ADMIN_TOKEN, { name: 'Shop', timezone }));
      expect(res.status, timezone).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_request', details: [{ path: 'timezone' }] } });
    }
  });

  it('keeps the data in the database it is told, the directory in DB, and refuses a database not bound', async () => {
    const site = await createSite({ database: 'DB_2' });
    expect(await siteRow(site.siteId)).toMatchObject({ database: 'DB_2' });
    expect(await env.DB_2.prepare('select count(*) as n from sites').first('n')).toBe(0);
    for (const [database, message] of [
      ['DB_9', /DB, DB_2/],
      ['db', /D1 binding name/],
      ['ASSETS', /D1 binding name/],
    ] as const) {
      const res = await call('/v1/sites', createRequest(env.ADMIN_TOKEN, { name: 'Nowhere', database }));
      expect(res.status, database).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(message);
    }
    expect(await env.DB.prepare("select count(*) as n from sites where name = 'Nowhere'").first('n')).toBe(0);
  });

  it('keeps no key in clear in any table of any database', async () => {
    const sites = [await createSite(), await createSite({ database: 'DB_2' })];
    const all = `${await dump(env.DB)}\n${await dump(env.DB_2)}`;
    // The dump reaches the directory (keys' rows name their site).
    expect(all).toContain(sites[0]!.siteId);
    for (const site of sites) {
      for (const secret of [site.writeKey, site.agentKey, site.readKey]) expect(all).not.toContain(secret);
    }
  });

  it('gives every site its own keys and id', async () => {
    const [a, b] = await Promise.all([createSite(), createSite()]);
    expect(a.siteId).not.toBe(b.siteId);
    expect(new Set([a.writeKey, a.agentKey, a.readKey, b.writeKey, b.agentKey, b.readKey]).size).toBe(6);
  });

  it('refuses a missing or wrong admin token with 401', async () => {
    for (const token of [undefined, 'wrong-token', `${env.ADMIN_TOKEN}x`, env.ADMIN_TOKEN.slice(0, -1)]) {
      const res = await call('/v1/sites', createRequest(token, { name: 'Refused' }));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect(await env.DB.prepare("select count(*) as n from sites where name = 'Refused'").first('n')).toBe(0);
  });

  it('is closed with 403 when no ADMIN_TOKEN is configured', async () => {
    const res = await app.request(`${BASE_URL}/v1/sites`, createRequest('anything', { name: 'Shop' }), {
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
    for (const body of [{}, { name: '' }, { name: 'Shop', extra: 1 }]) {
      const res = await call('/v1/sites', createRequest(env.ADMIN_TOKEN, body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
    }
    const malformed = await call('/v1/sites', { ...createRequest(env.ADMIN_TOKEN, {}), body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'malformed_json' } });
  });
});
