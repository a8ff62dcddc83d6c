import { env } from 'cloudflare:workers';
import { type ChatStatsResponse, LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { fromBase64Url, toBase64Url } from '../src/crypto/base64url.js';
import { TOKEN_LENGTH, TOKEN_VERSION } from '../src/links/token.js';
import { wrapD1 } from './d1-wrappers.js';
import { BASE_URL, call, callWithKey, createSite, dumpDatabase } from './helpers.js';
import { ORIGIN, tokenOf } from './links-helpers.js';

const body = (over: Record<string, unknown> = {}) => ({
  url: `${ORIGIN}/p/1?size=m&email=ann%40mail.example#reviews`,
  conversation: 'wa-4711',
  channel: 'whatsapp',
  agent: 'Ana',
  ...over,
});
const postLink = (key: string, input: unknown) => callWithKey(key, '/v1/links', { method: 'POST', body: input });

const linkRows = (siteId: string) =>
  env.DB.prepare('select link_id, conversation, channel, agent, url, issued_at from links where site_id = ?')
    .bind(siteId)
    .all<{
      link_id: string;
      conversation: string;
      channel: string;
      agent: string;
      url: string;
      issued_at: number;
    }>()
    .then((r) => r.results);

describe('POST /v1/links', () => {
  it('answers 201 with the url tagged, keeping query and hash, and records the link', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const before = Date.now();
    const res = await postLink(site.agentKey, body());
    expect(res.status).toBe(201);
    const { url } = await res.json<{ url: string }>();
    const tagged = new URL(url);
    expect(url.startsWith(`${ORIGIN}/p/1?size=m&email=ann%40mail.example&${LINK_PARAM}=`)).toBe(true);
    expect(tagged.hash).toBe('#reviews');
    const token = tokenOf(url);
    expect(token).toHaveLength(TOKEN_LENGTH);
    expect(url.length).toBeLessThan(body().url.length + 50);

    const rows = await linkRows(site.siteId);
    expect(rows).toEqual([
      expect.objectContaining({ conversation: 'wa-4711', channel: 'whatsapp', agent: 'Ana', url: `${ORIGIN}/p/1` }),
    ]);
    expect(rows[0]!.issued_at).toBeGreaterThanOrEqual(before);
    expect(rows[0]!.issued_at).toBeLessThanOrEqual(Date.now());
  });

  it('keeps only origin and path: neither the query (personal data) nor the token is stored', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const { url } = await (await postLink(site.agentKey, body())).json<{ url: string }>();
    const dump = await dumpDatabase();
    expect(dump).toContain(`${ORIGIN}/p/1`);
    for (const secret of [tokenOf(url), 'ann%40mail.example', 'ann@mail.example', 'size=m', 'reviews']) {
      expect(dump).not.toContain(secret);
    }
  });

  it("signs with the site's newest link key and names it in the token; the link id is the row's", async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const bytesOf = async () =>
      fromBase64Url(tokenOf((await (await postLink(site.agentKey, body())).json<{ url: string }>()).url))!;
    const first = await bytesOf();
    expect([first[0], first[1]]).toEqual([TOKEN_VERSION, 1]);
    // A rotated link key: new tokens name it, and its link rows are found by the id the token carries.
    await env.DB.prepare(
      "insert into site_secrets (site_id, purpose, key_id, secret, created_at) values (?, 'link', 2, 'second-secret-0123456789abcdef', ?)",
    )
      .bind(site.siteId, Date.now())
      .run();
    const second = await bytesOf();
    expect(second[1]).toBe(2);
    const ids = (await linkRows(site.siteId)).map((r) => r.link_id).sort();
    expect([toBase64Url(first.subarray(2, 10)), toBase64Url(second.subarray(2, 10))].sort()).toEqual(ids);
  });

  it('accepts the read key too, and a link without agent (stored as "")', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const res = await postLink(site.readKey, body({ agent: undefined }));
    expect(res.status).toBe(201);
    expect((await linkRows(site.siteId))[0]!.agent).toBe('');
  });

  it('replaces an existing lt_c (any spelling) instead of adding a second one', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const first = (await (await postLink(site.agentKey, body())).json<{ url: string }>()).url;
    const second = (await (await postLink(site.agentKey, body({ url: first }))).json<{ url: string }>()).url;
    expect(new URL(second).searchParams.getAll(LINK_PARAM)).toHaveLength(1);
    expect(tokenOf(second)).not.toBe(tokenOf(first));
    expect(new URL(second).searchParams.get('size')).toBe('m');
    const encoded = (
      await (await postLink(site.agentKey, body({ url: `${ORIGIN}/p?lt%5Fc=old&a=1` }))).json<{ url: string }>()
    ).url;
    expect(encoded.startsWith(`${ORIGIN}/p?a=1&${LINK_PARAM}=`)).toBe(true);
  });

  it.each([
    ['another origin', 'https://evil.example/p/1', 'origin_not_allowed'],
    ['javascript:', 'javascript:alert(document.cookie)', 'invalid_url'],
    ['a protocol-relative url', '//evil.example/p/1', 'invalid_url'],
    ['a relative path', '/p/1', 'invalid_url'],
    ['a user name in the url', 'https://ann:pw@shop.example/p/1', 'invalid_url'],
  ])('refuses %s with 400 and records nothing', async (_, url, code) => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const res = await postLink(site.agentKey, body({ url }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code } });
    expect(await linkRows(site.siteId)).toEqual([]);
  });

  it('refuses to tag while the site has no allowed origins', async () => {
    const site = await createSite();
    const res = await postLink(site.agentKey, body());
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'no_allowed_origins' } });
    expect(await linkRows(site.siteId)).toEqual([]);
  });

  it.each([
    ['a missing conversation', { conversation: undefined }],
    ['an uppercase channel', { channel: 'WhatsApp' }],
    ['an unknown field', { extra: 1 }],
    ['a control character in the agent', { agent: 'a\u0000b' }],
  ])('refuses %s with 400', async (_, over) => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const res = await postLink(site.agentKey, body(over));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('needs an agent or read key: 401 without or with an unknown key, 403 with the write key', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const none = await call('/v1/links', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body()),
    });
    expect(none.status).toBe(401);
    expect((await postLink('lta_unknown', body())).status).toBe(401);
    const write = await postLink(site.writeKey, body());
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(await linkRows(site.siteId)).toEqual([]);
  });

  it('answers 503 with Retry-After when the link cannot be recorded, and hands out no token', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const failing = wrapD1(env.DB, (sql) => sql.startsWith('insert into links'));
    const res = await app.request(
      `${BASE_URL}/v1/links`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${site.agentKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body()),
      },
      { ...env, DB: failing.db },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).not.toBeNull();
    expect(JSON.stringify(await res.json())).not.toContain(LINK_PARAM);
    expect(await linkRows(site.siteId)).toEqual([]);
  });

  it('makes a conversation one contact however many links it got, from its first link on', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const before = Date.now();
    for (const conversation of ['c1', 'c1', 'c2']) {
      expect((await postLink(site.agentKey, body({ conversation }))).status).toBe(201);
    }
    const { results } = await env.DB.prepare(
      'select conversation, first_link_at as firstLinkAt from conversations where site_id = ? order by conversation',
    )
      .bind(site.siteId)
      .all<{ conversation: string; firstLinkAt: number }>();
    const issued = await linkRows(site.siteId);
    const firstOf = (c: string) => Math.min(...issued.filter((l) => l.conversation === c).map((l) => l.issued_at));
    expect(results).toEqual([
      { conversation: 'c1', firstLinkAt: firstOf('c1') },
      { conversation: 'c2', firstLinkAt: firstOf('c2') },
    ]);
    expect(results[0]!.firstLinkAt).toBeGreaterThanOrEqual(before);
    const chat = await (
      await callWithKey(site.readKey, '/v1/stats/chat?groupBy=conversation')
    ).json<ChatStatsResponse>();
    expect(chat.rows.map((r) => [r.group, r.contacts])).toEqual([
      ['c1', 1],
      ['c2', 1],
    ]);
  });
});
