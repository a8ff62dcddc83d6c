/**
 * `POST /v1/keys/rotate` (issue 19, finding 4): a leaked key is replaced without hand-written
 * SQL; the link-signing secret rotates while tokens signed before keep landing.
 */
import { env } from 'cloudflare:workers';
import { type ChatStatsResponse, LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { fromBase64Url } from '../src/crypto/base64url.js';
import { LINK_SECRET_KEPT_MS, WRITE_KEY_GRACE_MS } from '../src/sites/rotation.js';
import { forgetSite, WRITE_KEY_CACHE_MS } from '../src/sites/write-key-cache.js';
import { call, callWithKey, createSite, dumpDatabase, postEvents, settled, tableCounts } from './helpers.js';
import { landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';

const rotate = (key: string, body: unknown) => callWithKey(key, '/v1/keys/rotate', { body });

async function rotated(key: string, body: unknown): Promise<string> {
  const res = await rotate(key, body);
  expect(res.status, await res.clone().text()).toBe(201);
  expect(res.headers.get('Cache-Control')).toBe('no-store');
  return (await res.json<{ key: string }>()).key;
}

const settingsStatus = async (key: string) => (await callWithKey(key, '/v1/settings')).status;
const linkStatus = async (key: string) =>
  (await callWithKey(key, '/v1/links', { body: { url: `${ORIGIN}/p`, conversation: 'c-1', channel: 'sms' } })).status;

/** A tagged link's token and the key id it names (its second byte). */
async function issueToken(agentKey: string): Promise<{ token: string; keyId: number }> {
  const res = await callWithKey(agentKey, '/v1/links', {
    body: { url: `${ORIGIN}/p/1`, conversation: `c-${crypto.randomUUID()}`, channel: 'whatsapp' },
  });
  expect(res.status).toBe(201);
  const token = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
  return { token, keyId: fromBase64Url(token)![1]! };
}

describe('POST /v1/keys/rotate', () => {
  it('replaces the read key: the old one stops at once, the new one is shown once and stored as a hash', async () => {
    const site = await createSite();
    const key = await rotated(site.readKey, { kind: 'read' });
    expect(key).toMatch(/^ltr_[A-Za-z0-9_-]{32}$/);
    expect(await settingsStatus(site.readKey)).toBe(401);
    expect(await settingsStatus(key)).toBe(200);
    const dump = await dumpDatabase();
    expect(dump).not.toContain(key);
    expect(dump).not.toContain(key.slice(4));
    // Rotating again with the new key replaces it in turn.
    const third = await rotated(key, { kind: 'read' });
    expect(await settingsStatus(key)).toBe(401);
    expect(await settingsStatus(third)).toBe(200);
  });

  it('replaces the agent key at once, other keys untouched', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const agent = await rotated(site.readKey, { kind: 'agent' });
    expect(agent).toMatch(/^lta_/);
    expect(await linkStatus(site.agentKey)).toBe(401);
    expect(await linkStatus(agent)).toBe(201);
    expect(await settingsStatus(site.readKey)).toBe(200);
    expect((await postEvents(site.writeKey, [widgetEvent()])).status).toBe(202);
  });

  it('keeps the old write key working for 30 days (script tags sit in caches), then refuses it', async () => {
    const site = await createSite();
    const before = Date.now();
    const write = await rotated(site.readKey, { kind: 'write' });
    const after = Date.now();
    expect(write).toMatch(/^ltw_/);
    expect((await postEvents(site.writeKey, [widgetEvent()])).status).toBe(202);
    expect((await postEvents(write, [widgetEvent()])).status).toBe(202);
    const { results } = await env.DB.prepare(
      "select expires_at as expiresAt from api_keys where site_id = ? and kind = 'write' order by created_at",
    )
      .bind(site.siteId)
      .all<{ expiresAt: number | null }>();
    expect(results.map((r) => r.expiresAt === null)).toEqual([false, true]);
    expect(results[0]!.expiresAt).toBeGreaterThanOrEqual(before + WRITE_KEY_GRACE_MS);
    expect(results[0]!.expiresAt).toBeLessThanOrEqual(after + WRITE_KEY_GRACE_MS);
    // 30 days on (the end moved to the past): refused, while the new key goes on.
    await env.DB.prepare(
      "update api_keys set expires_at = ? where site_id = ? and kind = 'write' and expires_at is not null",
    )
      .bind(Date.now() - 1, site.siteId)
      .run();
    // A change made behind the collector's back reaches it once remembered write keys lapse.
    forgetSite(site.siteId);
    expect((await postEvents(site.writeKey, [widgetEvent()])).status).toBe(401);
    expect((await postEvents(write, [widgetEvent()])).status).toBe(202);
    // The next rotation clears keys whose end has passed; the previous key keeps its own 30 days.
    const next = await rotated(site.readKey, { kind: 'write' });
    const { results: kept } = await env.DB.prepare(
      "select count(*) as n from api_keys where site_id = ? and kind = 'write'",
    )
      .bind(site.siteId)
      .all<{ n: number }>();
    expect(kept[0]!.n).toBe(2);
    expect((await postEvents(write, [widgetEvent()])).status).toBe(202);
    expect((await postEvents(next, [widgetEvent()])).status).toBe(202);
  });

  it('reads a write key from the directory once per few seconds, a read key on every request', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    expect((await postEvents(site.writeKey, [widgetEvent()])).status).toBe(202);
    expect(await settingsStatus(site.readKey)).toBe(200);
    // Both keys removed behind the collector's back (another isolate's change, as it reaches this one).
    const started = Date.now();
    await env.DB.prepare('delete from api_keys where site_id = ?').bind(site.siteId).run();
    expect(await settingsStatus(site.readKey)).toBe(401);
    const status = (await postEvents(site.writeKey, [widgetEvent()])).status;
    if (Date.now() - started < WRITE_KEY_CACHE_MS) expect(status).toBe(202);
    forgetSite(site.siteId);
    expect((await postEvents(site.writeKey, [widgetEvent()])).status).toBe(401);
  });

  it("forgets a site's remembered write key when this collector changes its settings", async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const post = () => postEvents(site.writeKey, [widgetEvent()], { origin: ORIGIN });
    expect((await post()).status).toBe(202);
    const res = await callWithKey(site.readKey, '/v1/settings', {
      method: 'PUT',
      body: { allowedOrigins: ['https://elsewhere.example'] },
    });
    expect(res.status, await res.text()).toBe(200);
    expect((await post()).status).toBe(403);
  });

  it('takes the admin token with siteId, for a site whose read key is lost', async () => {
    const site = await createSite();
    const read = await rotated(env.ADMIN_TOKEN, { kind: 'read', siteId: site.siteId });
    expect(await settingsStatus(site.readKey)).toBe(401);
    expect(await settingsStatus(read)).toBe(200);
    const unknown = await rotate(env.ADMIN_TOKEN, { kind: 'read', siteId: 'no-such-site' });
    expect(unknown.status).toBe(404);
    // siteId asks for the admin token: a read key, even the site's own, is not one.
    expect((await rotate(read, { kind: 'read', siteId: site.siteId })).status).toBe(401);
    // Without siteId the admin token is no key.
    expect((await rotate(env.ADMIN_TOKEN, { kind: 'read' })).status).toBe(401);
  });

  it('answers 401, 403 and 400 as the contract says, changing nothing', async () => {
    const site = await createSite();
    const before = await tableCounts();
    const answers = {
      write: (await rotate(site.writeKey, { kind: 'read' })).status,
      agent: (await rotate(site.agentKey, { kind: 'read' })).status,
      none: (
        await call('/v1/keys/rotate', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"kind":"read"}',
        })
      ).status,
      unknownKind: (await rotate(site.readKey, { kind: 'admin' })).status,
      extraField: (await rotate(site.readKey, { kind: 'read', expiresIn: 0 })).status,
      badSiteId: (await rotate(env.ADMIN_TOKEN, { kind: 'read', siteId: "x' or '1'='1" })).status,
    };
    expect(answers).toEqual({ write: 403, agent: 403, none: 401, unknownKind: 400, extraField: 400, badSiteId: 400 });
    expect(await tableCounts()).toEqual(before);
    expect(await settingsStatus(site.readKey)).toBe(200);
  });

  it('rotates the link-signing secret: new tokens name the new key id, tokens signed before still land', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const old = await issueToken(site.agentKey);
    expect(old.keyId).toBe(1);
    const res = await rotate(site.readKey, { kind: 'link-secret' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ keyId: 2 });
    const fresh = await issueToken(site.agentKey);
    expect(fresh.keyId).toBe(2);
    await postEvents(site.writeKey, [landingEvent({ tk: old.token }), landingEvent({ tk: fresh.token })]);
    await settled();
    const chat = await (await callWithKey(site.readKey, '/v1/stats/chat')).json<ChatStatsResponse>();
    expect({ invalid: chat.invalidLandings, expired: chat.expiredLandings }).toEqual({ invalid: 0, expired: 0 });
    const { results } = await env.DB.prepare("select count(*) as n from touches where site_id = ? and type = 'landing'")
      .bind(site.siteId)
      .all<{ n: number }>();
    expect(results[0]!.n).toBe(2);
    // A secret never leaves the collector.
    const secrets = await env.DB.prepare("select secret from site_secrets where site_id = ? and purpose = 'link'")
      .bind(site.siteId)
      .all<{ secret: string }>();
    expect(secrets.results).toHaveLength(2);
  });

  it('deletes a link secret once its tokens can no longer land, and stops at the 255 ids a token can name', async () => {
    const site = await createSite();
    const secrets = () =>
      env.DB.prepare("select key_id as keyId from site_secrets where site_id = ? and purpose = 'link' order by key_id")
        .bind(site.siteId)
        .all<{ keyId: number }>()
        .then((r) => r.results.map((row) => row.keyId));
    expect(await (await rotate(site.readKey, { kind: 'link-secret' })).json()).toEqual({ keyId: 2 });
    // Secret 2 took over from secret 1 longer ago than a token of 1 can land.
    await env.DB.prepare("update site_secrets set created_at = ? where site_id = ? and purpose = 'link' and key_id = 2")
      .bind(Date.now() - LINK_SECRET_KEPT_MS - 1, site.siteId)
      .run();
    expect(await (await rotate(site.readKey, { kind: 'link-secret' })).json()).toEqual({ keyId: 3 });
    expect(await secrets()).toEqual([2, 3]);

    await env.DB.prepare(
      "insert into site_secrets (site_id, purpose, key_id, secret, created_at) values (?, 'link', 255, 'x', ?)",
    )
      .bind(site.siteId, Date.now())
      .run();
    const exhausted = await rotate(site.readKey, { kind: 'link-secret' });
    expect(exhausted.status).toBe(409);
    expect(await exhausted.json()).toMatchObject({ error: { code: 'rotation_exhausted' } });
    expect(await secrets()).toEqual([2, 3, 255]);
  });
});
