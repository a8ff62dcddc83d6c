import { env } from 'cloudflare:workers';
import { LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { TOKEN_LENGTH } from '../src/links/token.js';
import { dayOf } from '../src/time/days.js';
import { call, callWithKey, createSite } from './helpers.js';

const ORIGIN = 'https://shop.example';
const body = (over: Record<string, unknown> = {}) => ({
  url: `${ORIGIN}/p/1?size=m#reviews`,
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
      agent: string | null;
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
    expect(url.startsWith(`${ORIGIN}/p/1?size=m&${LINK_PARAM}=`)).toBe(true);
    expect(tagged.hash).toBe('#reviews');
    expect(tagged.searchParams.get(LINK_PARAM)).toHaveLength(TOKEN_LENGTH);
    expect(url.length).toBeLessThan(`${ORIGIN}/p/1?size=m#reviews`.length + 50);

    const rows = await linkRows(site.siteId);
    expect(rows).toEqual([
      expect.objectContaining({ conversation: 'wa-4711', channel: 'whatsapp', agent: 'Ana', url }),
    ]);
    expect(rows[0]!.issued_at).toBeGreaterThanOrEqual(before);
  });

  it('accepts the read key too, and a link without agent', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const res = await postLink(site.readKey, body({ agent: undefined }));
    expect(res.status).toBe(201);
    expect((await linkRows(site.siteId))[0]!.agent).toBeNull();
  });

  it('replaces an existing lt_c instead of adding a second one', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const first = (await (await postLink(site.agentKey, body())).json<{ url: string }>()).url;
    const second = (await (await postLink(site.agentKey, body({ url: first }))).json<{ url: string }>()).url;
    expect(new URL(second).searchParams.getAll(LINK_PARAM)).toHaveLength(1);
    expect(new URL(second).searchParams.get(LINK_PARAM)).not.toBe(new URL(first).searchParams.get(LINK_PARAM));
    expect(new URL(second).searchParams.get('size')).toBe('m');
  });

  it.each([
    ['another origin', 'https://evil.example/p/1', 'origin_not_allowed'],
    ['javascript:', 'javascript:alert(document.cookie)', 'invalid_url'],
    ['a protocol-relative url', '//evil.example/p/1', 'invalid_url'],
    ['a relative path', '/p/1', 'invalid_url'],
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

  it('counts a conversation once per day in the contacts aggregate, however many links it got', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    for (const conversation of ['c1', 'c1', 'c2']) {
      expect((await postLink(site.agentKey, body({ conversation }))).status).toBe(201);
    }
    const { results } = await env.DB.prepare(
      'select conversation, day from link_contacts_daily where site_id = ? order by conversation',
    )
      .bind(site.siteId)
      .all();
    const today = dayOf(Date.now());
    expect(results).toEqual([
      { conversation: 'c1', day: today },
      { conversation: 'c2', day: today },
    ]);
  });
});
