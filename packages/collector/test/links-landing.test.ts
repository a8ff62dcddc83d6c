import { env } from 'cloudflare:workers';
import { type LandingEvent, LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/db/client.js';
import { normalizeEvent } from '../src/ingest/normalize.js';
import type { IngestContext } from '../src/ingest/types.js';
import { recordLanding } from '../src/links/landing.js';
import { signToken } from '../src/links/token.js';
import { loadSite } from '../src/sites/queries.js';
import { dayOf } from '../src/time/days.js';
import { callWithKey, createSite, ingest, landingEvent, uid } from './helpers.js';

const ORIGIN = 'https://shop.example';
const DAY = 86_400_000;

async function shopWithLink(conversation = 'wa-1', channel = 'whatsapp', agent: string | undefined = 'ana') {
  const site = await createSite({ allowedOrigins: [ORIGIN] });
  const token = await issueToken(site.agentKey, conversation, channel, agent);
  return { site, token };
}

async function issueToken(agentKey: string, conversation: string, channel: string, agent?: string): Promise<string> {
  const res = await callWithKey(agentKey, '/v1/links', {
    method: 'POST',
    body: { url: `${ORIGIN}/p/1`, conversation, channel, ...(agent ? { agent } : {}) },
  });
  expect(res.status).toBe(201);
  return new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
}

const interactions = (siteId: string) =>
  env.DB.prepare(
    `select event_id, visitor_id, action, channel, conversation, agent, link_id, forwarded
     from interactions where site_id = ? order by ts, event_id`,
  )
    .bind(siteId)
    .all<Record<string, unknown>>()
    .then((r) => r.results);

const invalid = (siteId: string) =>
  env.DB.prepare('select day, reason, landings from invalid_landings_daily where site_id = ? order by reason')
    .bind(siteId)
    .all<{ day: number; reason: string; landings: number }>()
    .then((r) => r.results);

const linkOf = (siteId: string) =>
  env.DB.prepare('select link_id, issued_at from links where site_id = ?')
    .bind(siteId)
    .first<{ link_id: string; issued_at: number }>();

const secretOf = async (siteId: string) =>
  (await env.DB.prepare('select link_secret from sites where id = ?').bind(siteId).first<{ link_secret: string }>())!
    .link_secret;

describe('landing through a tagged link', () => {
  it('records a valid token as a link_landing interaction of its channel for the visitor', async () => {
    const { site, token } = await shopWithLink('wa-1', 'whatsapp', 'ana');
    const landing = landingEvent({ tk: token });
    expect(await ingest(site.writeKey, [landing], { origin: ORIGIN })).toMatchObject({ accepted: 1, rejected: [] });
    const link = await linkOf(site.siteId);
    expect(await interactions(site.siteId)).toEqual([
      {
        event_id: landing.id,
        visitor_id: landing.v,
        action: 'link_landing',
        channel: 'whatsapp',
        conversation: 'wa-1',
        agent: 'ana',
        link_id: link!.link_id,
        forwarded: 0,
      },
    ]);
    expect(await invalid(site.siteId)).toEqual([]);
  });

  it('earns nothing for a tampered token and counts it as invalid', async () => {
    const { site, token } = await shopWithLink();
    const tampered = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const landing = landingEvent({ tk: tampered, ts: Date.now() });
    await ingest(site.writeKey, [landing], { origin: ORIGIN });
    // A retry of the same event is a duplicate: the invalid landing is still counted once.
    expect(await ingest(site.writeKey, [landing], { origin: ORIGIN })).toMatchObject({ accepted: 0, duplicates: 1 });
    await ingest(site.writeKey, [landingEvent({ tk: 'unsigned.token' })], { origin: ORIGIN });
    expect(await interactions(site.siteId)).toEqual([]);
    const today = dayOf(landing.ts);
    expect(await invalid(site.siteId)).toEqual([
      { day: today, reason: 'malformed', landings: 1 },
      { day: today, reason: 'signature', landings: 1 },
    ]);
  });

  it("refuses another site's token", async () => {
    const a = await shopWithLink();
    const b = await createSite({ allowedOrigins: [ORIGIN] });
    await ingest(b.writeKey, [landingEvent({ tk: a.token })], { origin: ORIGIN });
    expect(await interactions(b.siteId)).toEqual([]);
    expect(await invalid(b.siteId)).toEqual([expect.objectContaining({ reason: 'signature', landings: 1 })]);
  });

  it('refuses a well-signed token older than the longest window, and a link that was never recorded', async () => {
    const { site } = await shopWithLink();
    const link = (await linkOf(site.siteId))!;
    const secret = await secretOf(site.siteId);
    const old = await signToken({ siteId: site.siteId, secret, linkId: link.link_id, issuedAt: Date.now() - 15 * DAY });
    const unknown = await signToken({ siteId: site.siteId, secret, linkId: 'AAAAAAAAAAAA', issuedAt: Date.now() });
    await ingest(site.writeKey, [landingEvent({ tk: old }), landingEvent({ tk: unknown })], { origin: ORIGIN });
    expect(await interactions(site.siteId)).toEqual([]);
    expect((await invalid(site.siteId)).map((r) => [r.reason, r.landings])).toEqual([
      ['expired', 1],
      ['unknown_link', 1],
    ]);

    // With a 30-day channel window the same token is still valid: the longest window bounds a token's life.
    const res = await callWithKey(site.readKey, '/v1/settings', {
      method: 'PUT',
      body: {
        attributionWindows: { default: 14 * 86_400, kinds: {}, channels: { email: 30 * 86_400 }, campaigns: {} },
      },
    });
    expect(res.status).toBe(200);
    await ingest(site.writeKey, [landingEvent({ tk: old })], { origin: ORIGIN });
    expect(await interactions(site.siteId)).toHaveLength(1);
  });

  it('makes one contact of the same visitor landing many times, in one batch or several', async () => {
    const { site, token } = await shopWithLink();
    const visitor = uid('visitor');
    const first = landingEvent({ v: visitor, tk: token, ts: Date.now() - 60_000 });
    await ingest(site.writeKey, [first, landingEvent({ v: visitor, tk: token, ts: Date.now() - 30_000 })], {
      origin: ORIGIN,
    });
    await ingest(site.writeKey, [landingEvent({ v: visitor, tk: token })], { origin: ORIGIN });
    const rows = await interactions(site.siteId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: first.id, forwarded: 0 });
  });

  it('qualifies a second visitor of a forwarded link, flagged forwarded', async () => {
    const { site, token } = await shopWithLink('wa-9', 'sms');
    const original = landingEvent({ tk: token, ts: Date.now() - 60_000 });
    const friend = landingEvent({ tk: token });
    await ingest(site.writeKey, [original], { origin: ORIGIN });
    await ingest(site.writeKey, [friend], { origin: ORIGIN });
    await ingest(site.writeKey, [landingEvent({ v: original.v, tk: token })], { origin: ORIGIN });
    expect((await interactions(site.siteId)).map((r) => [r.visitor_id, r.channel, r.forwarded])).toEqual([
      [original.v, 'sms', 0],
      [friend.v, 'sms', 1],
    ]);
  });

  it('keeps links of different conversations apart for the same visitor', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const t1 = await issueToken(site.agentKey, 'c-1', 'email');
    const t2 = await issueToken(site.agentKey, 'c-2', 'whatsapp');
    const visitor = uid('visitor');
    await ingest(
      site.writeKey,
      [landingEvent({ v: visitor, tk: t1, ts: Date.now() - 1000 }), landingEvent({ v: visitor, tk: t2 })],
      {
        origin: ORIGIN,
      },
    );
    expect((await interactions(site.siteId)).map((r) => [r.conversation, r.channel, r.forwarded])).toEqual([
      ['c-1', 'email', 0],
      ['c-2', 'whatsapp', 0],
    ]);
  });
});

/** A shop with one link (no agent), and its site as a deriver sees it. */
async function loadedShopWithLink() {
  const { site: created, token } = await shopWithLink('wa-1', 'whatsapp', undefined);
  const site = (await loadSite(createDb(env.DB), created.siteId))!;
  return { created, site, token };
}

/** Runs the deriver's statements alone, as stage 1 would, without stage 2 working off the queue. */
async function deriveAndCommit(ctx: IngestContext, wire: LandingEvent): Promise<void> {
  const normalized = normalizeEvent(wire, ctx.site.id, ctx.now);
  if (!normalized.ok) throw new Error('invalid test event');
  await env.DB.batch(await recordLanding(ctx, normalized.event, wire));
}

const queued = (siteId: string) =>
  env.DB.prepare("select subject_id from attribution_queue where site_id = ? and subject = 'visitor'")
    .bind(siteId)
    .all<{ subject_id: string }>()
    .then((r) => r.results.map((row) => row.subject_id));

const flags = (siteId: string) =>
  env.DB.prepare('select visitor_id, forwarded from interactions where site_id = ? order by ts')
    .bind(siteId)
    .all<{ visitor_id: string; forwarded: number }>()
    .then((r) => r.results.map((row) => [row.visitor_id, row.forwarded]));

describe('recordLanding', () => {
  it('queues the former recipient for attribution when a late landing of another visitor came first', async () => {
    const { created, site, token } = await loadedShopWithLink();
    const now = Date.now();
    const friend = landingEvent({ tk: token, ts: now - 60_000 });
    await ingest(created.writeKey, [friend], { origin: ORIGIN });
    expect(await queued(site.id)).toEqual([]);

    const recipient = landingEvent({ tk: token, ts: now - 120_000 });
    await deriveAndCommit({ db: env.DB, site, now }, recipient);
    expect(await flags(site.id)).toEqual([
      [recipient.v, 0],
      [friend.v, 1],
    ]);
    expect(await queued(site.id)).toEqual([friend.v]);
  });

  it('queues nobody else when the late landing is the same visitor, or came after the recipient', async () => {
    const { created, site, token } = await loadedShopWithLink();
    const now = Date.now();
    const first = landingEvent({ tk: token, ts: now - 60_000 });
    await ingest(created.writeKey, [first], { origin: ORIGIN });
    const ctx = { db: env.DB, site, now };
    await deriveAndCommit(ctx, landingEvent({ v: first.v, tk: token, ts: now - 120_000 }));
    await deriveAndCommit(ctx, landingEvent({ tk: token, ts: now - 30_000 }));
    expect(await queued(site.id)).toEqual([]);
  });
});
