/**
 * Rate limits (issue 19, finding 5): keyed on what a client cannot choose, its connecting address
 * (`CF-Connecting-IP`, set by Cloudflare's edge), and applied before any D1 read. A limiter with a
 * tiny budget (`TEST_TIGHT_LIMITER`, 3 per 10 s) is swapped in for the one under test; the D1
 * binding is wrapped to count the reads a refused request costs (none).
 */
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.js';
import { wrapD1 } from './d1-wrappers.js';
import { BASE_URL, countEvents, createSite, settled } from './helpers.js';
import { widgetEvent } from './sdk-events.js';

type Bindings = typeof env;

let hosts = 0;
/** An address no other test of this file uses (the limiters and the blocked list outlive a test). */
const freshAddress = () => `198.51.${100 + Math.floor(Math.random() * 100)}.${++hosts % 250}`;

function request(path: string, init: { address?: string; key?: string; body?: unknown; text?: boolean } = {}) {
  const headers: Record<string, string> = {};
  if (init.address) headers['CF-Connecting-IP'] = init.address;
  if (init.key) headers.Authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['Content-Type'] = init.text ? 'text/plain' : 'application/json';
  return new Request(`${BASE_URL}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

/** `POST /v1/events` as the SDK sends it (key in the body). */
const batch = (writeKey: string, events: unknown[], address?: string) =>
  request('/v1/events', { address, body: { k: writeKey, e: events }, text: true });

/**
 * The limiters count in windows aligned to the wall clock (10 s for the tight one): a test that
 * straddled a boundary would see its count restart. Waits for a window with 4 s left at least.
 */
async function roomInWindow() {
  const position = Date.now() % 10_000;
  if (position > 6_000) await new Promise((resolve) => setTimeout(resolve, 10_050 - position));
}

/** The app with `limiter` swapped for the tight one and D1 calls counted. */
function tight(limiter: keyof Bindings) {
  const db = wrapD1(env.DB);
  const bindings = { ...env, DB: db.db, [limiter]: env.TEST_TIGHT_LIMITER } as Bindings;
  return { fetch: (req: Request) => app.fetch(req, bindings), d1Calls: db.calls };
}

async function expect429(res: Response, retryAfter: string) {
  expect(res.status).toBe(429);
  expect(res.headers.get('Retry-After')).toBe(retryAfter);
  expect(await res.json()).toMatchObject({ error: { code: 'rate_limited' } });
}

beforeEach(roomInWindow);
afterEach(() => vi.restoreAllMocks());

describe('rate limits on the connecting address', () => {
  it('holds the per-visitor limit against a fresh visitor id in every batch: it counts the address', async () => {
    const site = await createSite();
    const worker = tight('EVENTS_ADDRESS_LIMITER');
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await worker.fetch(batch(site.writeKey, [widgetEvent()], address))).status);
    }
    expect(statuses).toEqual([202, 202, 202]);
    const refused = widgetEvent();
    const before = worker.d1Calls();
    await expect429(await worker.fetch(batch(site.writeKey, [refused], address)), '10');
    expect(worker.d1Calls() - before, 'D1 calls of the refused request').toBe(0);
    // Another shopper, another address: not held back.
    expect((await worker.fetch(batch(site.writeKey, [widgetEvent()], freshAddress()))).status).toBe(202);
    await settled();
    expect(await countEvents(site.siteId, [refused.id])).toBe(0);
    expect(await countEvents(site.siteId)).toBe(4);
    console.log('[robustness] rate limits: 3 batches with 4 distinct visitor ids from one address, the 4th refused');
  });

  it('counts an IPv6 client by its /64, whose addresses it can rotate at will', async () => {
    const site = await createSite();
    const worker = tight('EVENTS_ADDRESS_LIMITER');
    const net = `2001:db8:${(++hosts).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    for (let i = 1; i <= 3; i++) {
      expect((await worker.fetch(batch(site.writeKey, [widgetEvent()], `${net}::${i}`))).status).toBe(202);
    }
    await expect429(await worker.fetch(batch(site.writeKey, [widgetEvent()], `${net}:1:2:3:4`)), '10');
    expect((await worker.fetch(batch(site.writeKey, [widgetEvent()], `2001:db8:ffff:${hosts}::1`))).status).toBe(202);
  });

  it('refuses an address past its unknown keys before reading D1, whatever key it sends next', async () => {
    const site = await createSite();
    const worker = tight('AUTH_FAILURE_LIMITER');
    const address = freshAddress();
    const unknown = (i: number) => `ltw_${'x'.repeat(28)}${i}abc`;
    for (let i = 0; i < 3; i++) {
      expect((await worker.fetch(batch(unknown(i), [widgetEvent()], address))).status).toBe(401);
    }
    // The 4th failure is found by its lookup, then refused.
    await expect429(await worker.fetch(batch(unknown(3), [widgetEvent()], address)), '60');
    const before = worker.d1Calls();
    const later = [
      await worker.fetch(batch(unknown(4), [widgetEvent()], address)),
      await worker.fetch(batch(site.writeKey, [widgetEvent()], address)),
      await worker.fetch(request('/v1/settings', { address, key: site.readKey })),
    ];
    expect(later.map((r) => r.status)).toEqual([429, 429, 429]);
    expect(Number(later[0]!.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(worker.d1Calls() - before, 'D1 calls of requests from a blocked address').toBe(0);
    // Another address with the real key is not affected.
    expect((await worker.fetch(batch(site.writeKey, [widgetEvent()], freshAddress()))).status).toBe(202);
  });

  it('counts keys of the wrong kind (and expired keys) as failures too', async () => {
    const site = await createSite();
    const worker = tight('AUTH_FAILURE_LIMITER');
    const address = freshAddress();
    const statuses = [
      (await worker.fetch(batch(site.readKey, [widgetEvent()], address))).status,
      (await worker.fetch(request('/v1/settings', { address, key: site.agentKey }))).status,
      (await worker.fetch(request('/v1/stats/widgets', { address, key: site.writeKey }))).status,
    ];
    expect(statuses).toEqual([403, 403, 403]);
    await expect429(await worker.fetch(request('/v1/settings', { address, key: site.writeKey })), '60');

    const other = await createSite();
    await env.DB.prepare("update api_keys set expires_at = 1 where site_id = ? and kind = 'read'")
      .bind(other.siteId)
      .run();
    const second = freshAddress();
    for (let i = 0; i < 3; i++) {
      expect((await worker.fetch(request('/v1/settings', { address: second, key: other.readKey }))).status).toBe(401);
    }
    await expect429(await worker.fetch(request('/v1/settings', { address: second, key: other.readKey })), '60');
  });

  it('limits keyed API requests per address before the key lookup', async () => {
    const site = await createSite();
    const worker = tight('API_ADDRESS_LIMITER');
    const address = freshAddress();
    for (let i = 0; i < 3; i++) {
      expect((await worker.fetch(request('/v1/settings', { address, key: site.readKey }))).status).toBe(200);
    }
    const before = worker.d1Calls();
    await expect429(await worker.fetch(request('/v1/stats/widgets', { address, key: site.readKey })), '10');
    await expect429(await worker.fetch(request('/v1/settings', { address, key: 'ltr_unknown-key-0123456789' })), '10');
    expect(worker.d1Calls() - before).toBe(0);
  });

  it('limits admin-token guesses per address before comparing, on site creation and key rotation', async () => {
    const site = await createSite();
    const worker = tight('ADMIN_LIMITER');
    const address = freshAddress();
    const create = (key: string, from = address) => request('/v1/sites', { address: from, key, body: { name: 'x' } });
    const rotate = (key: string) =>
      request('/v1/keys/rotate', { address, key, body: { kind: 'read', siteId: site.siteId } });
    expect((await worker.fetch(create(`${env.ADMIN_TOKEN}x`))).status).toBe(401);
    expect((await worker.fetch(rotate(`x${env.ADMIN_TOKEN}`))).status).toBe(401);
    expect((await worker.fetch(create('guess'))).status).toBe(401);
    // Past the limit even the right token is refused: a guess cannot be told from it.
    await expect429(await worker.fetch(create(env.ADMIN_TOKEN)), '60');
    await expect429(await worker.fetch(rotate(env.ADMIN_TOKEN)), '60');
    expect((await worker.fetch(create(env.ADMIN_TOKEN, freshAddress()))).status).toBe(201);
  });

  it('does not limit per address what did not come through the edge: no CF-Connecting-IP, or loopback', async () => {
    const site = await createSite();
    const bindings = {
      ...env,
      EVENTS_ADDRESS_LIMITER: env.TEST_TIGHT_LIMITER,
      AUTH_FAILURE_LIMITER: env.TEST_TIGHT_LIMITER,
    };
    for (const address of [undefined, '127.0.0.1', '::1']) {
      for (let i = 0; i < 5; i++) {
        expect((await app.fetch(batch(site.writeKey, [widgetEvent()], address), bindings)).status).toBe(202);
        expect((await app.fetch(batch('ltw_unknown', [widgetEvent()], address), bindings)).status).toBe(401);
      }
    }
  });

  it('never hands a limiter the address in clear', async () => {
    const site = await createSite();
    const keys: string[] = [];
    const spy: RateLimit = {
      limit: async ({ key }) => {
        keys.push(key);
        return { success: true };
      },
    };
    const bindings = { ...env, EVENTS_ADDRESS_LIMITER: spy, API_ADDRESS_LIMITER: spy, ADMIN_LIMITER: spy };
    const address = '203.0.113.77';
    await app.fetch(batch(site.writeKey, [widgetEvent()], address), bindings);
    await app.fetch(request('/v1/settings', { address, key: site.readKey }), bindings);
    await app.fetch(request('/v1/sites', { address, key: 'nope', body: { name: 'x' } }), bindings);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).not.toContain('203.0.113');
  });
});

describe('rate limits per site', () => {
  it('refuses a site past its ingestion limit (a tiny limiter swapped in)', async () => {
    const site = await createSite();
    const worker = tight('EVENTS_SITE_LIMITER');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await worker.fetch(batch(site.writeKey, [widgetEvent()]))).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    await settled();
    expect(await countEvents(site.siteId)).toBe(3);
  });

  it('refuses a site past its API limit on keyed endpoints', async () => {
    const site = await createSite();
    const worker = tight('API_SITE_LIMITER');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await worker.fetch(request('/v1/settings', { key: site.readKey }))).status);
    expect(statuses).toEqual([200, 200, 200]);
    await expect429(await worker.fetch(request('/v1/settings', { key: site.readKey })), '10');
  });
});

describe('ADMIN_TOKEN', () => {
  it('refuses every admin request while the token is shorter than 32 characters, saying why once in the log', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const short = { ...env, ADMIN_TOKEN: 'dev-admin-token' };
    const create = () =>
      app.fetch(request('/v1/sites', { key: 'dev-admin-token', body: { name: 'Short token shop' } }), short);
    for (let i = 0; i < 2; i++) {
      const res = await create();
      expect(res.status).toBe(403);
      const body = await res.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('admin_disabled');
      expect(body.error.message).toContain('shorter than 32 characters');
    }
    const site = await createSite();
    const rotate = await app.fetch(
      request('/v1/keys/rotate', { key: 'dev-admin-token', body: { kind: 'read', siteId: site.siteId } }),
      short,
    );
    expect(rotate.status).toBe(403);
    const logged = errors.mock.calls.filter((call) => String(call[0]).includes('shorter than 32 characters'));
    expect(logged.length).toBeLessThanOrEqual(1);

    // Local development (`pnpm dev` seeded the demo site): its default `dev-admin-token` works.
    await env.DB.prepare(
      "insert into sites (id, name, settings, database, settings_version, created_at) values ('demo', 'Demo shop', '{}', 'DB', 0, 0)",
    ).run();
    try {
      expect((await create()).status).toBe(201);
    } finally {
      await env.DB.prepare("delete from sites where id = 'demo'").run();
    }
    expect((await create()).status).toBe(403);
  });

  it('keeps admin routes closed without a token', async () => {
    const { ADMIN_TOKEN: _, ...none } = env;
    const res = await app.fetch(request('/v1/sites', { key: 'anything', body: { name: 'x' } }), none as Bindings);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'admin_disabled' } });
  });
});
