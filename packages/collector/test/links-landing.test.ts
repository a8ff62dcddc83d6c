import { env } from 'cloudflare:workers';
import { type ChatStatsResponse, LIMITS } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../src/crypto/base64url.js';
import { newLinkId, signToken } from '../src/links/token.js';
import { createShop, DAY, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { ingest } from './helpers.js';
import { issuedAt, linkKey, ORIGIN, tag, tampered } from './links-helpers.js';
import { landingEvent } from './sdk-events.js';

const landingTouches = (siteId: string) =>
  env.DB.prepare(
    `select event_id, visitor_id, session_id, ts, type, action, channel, conversation, agent, link_id, client_ts
     from touches where site_id = ? order by ts, event_id`,
  )
    .bind(siteId)
    .all<Record<string, unknown>>()
    .then((r) => r.results);

/** Landings that earned nothing, by reason (`forged`, `expired`, `unknown_link`). */
const failed = async (siteId: string) => {
  const { results } = await env.DB.prepare(
    `select substr(metric, 9) as reason, sum(count) as n from site_slots
     where site_id = ? and metric like 'landing_%' group by metric order by metric`,
  )
    .bind(siteId)
    .all<{ reason: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.reason, r.n]));
};

const recipientOf = (siteId: string, linkId?: string) =>
  env.DB.prepare(
    `select link_id as linkId, recipient_visitor as visitor, recipient_ts as ts from links
     where site_id = ?1 and (?2 is null or link_id = ?2)`,
  )
    .bind(siteId, linkId ?? null)
    .first<{ linkId: string; visitor: string | null; ts: number | null }>();

const chatCounts = async (shop: Shop) => {
  const chat = await shop.get<ChatStatsResponse>('/v1/stats/chat');
  return { invalid: chat.invalidLandings, expired: chat.expiredLandings };
};

/** A landing time on a whole second, so a token's issue time (whole seconds) can sit exactly on a bound. */
const second = (ms: number) => ms - (ms % 1000);

describe('a landing through a tagged link', () => {
  it("is a link_landing touch of the link's conversation, channel and agent, and makes its visitor the recipient", async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'wa-1', 'whatsapp', 'ana');
    const landing = landingEvent({ tk: token, ts: Date.now() - HOUR });
    await shop.send([landing]);
    const link = await recipientOf(shop.siteId);
    expect(await landingTouches(shop.siteId)).toEqual([
      {
        event_id: landing.id,
        visitor_id: landing.v,
        session_id: landing.s,
        ts: landing.ts,
        type: 'landing',
        action: 'link_landing',
        channel: 'whatsapp',
        conversation: 'wa-1',
        agent: 'ana',
        link_id: link!.linkId,
        client_ts: landing.ts,
      },
    ]);
    expect(link).toMatchObject({ visitor: landing.v, ts: landing.ts });
    expect(await failed(shop.siteId)).toEqual({});
  });

  it('stores a link without agent as a touch without agent', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'mail-1', 'email');
    await shop.send([landingEvent({ tk: token })]);
    expect(await landingTouches(shop.siteId)).toEqual([expect.objectContaining({ channel: 'email', agent: null })]);
  });

  it('earns nothing for an altered or malformed token, counted as invalid once however often it is retried', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'wa-1', 'whatsapp');
    const altered = landingEvent({ tk: tampered(token) });
    await shop.send([altered]);
    // A retry of the same event is a duplicate: the invalid landing is still counted once.
    expect(await ingest(shop.writeKey, [altered])).toMatchObject({ accepted: 0, duplicates: 1 });
    await shop.send([landingEvent({ tk: 'unsigned.token' }), landingEvent({ tk: token.slice(0, -1) })]);
    expect(await landingTouches(shop.siteId)).toEqual([]);
    expect(await failed(shop.siteId)).toEqual({ forged: 3 });
    expect(await chatCounts(shop)).toEqual({ invalid: 3, expired: 0 });
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: null, ts: null });
  });

  it("refuses another site's token, and one claiming to be issued in the future, as forged", async () => {
    const [a, b] = [await createShop({ allowedOrigins: [ORIGIN] }), await createShop({ allowedOrigins: [ORIGIN] })];
    const foreign = await tag(a, 'wa-1', 'whatsapp');
    const { token: future } = await issuedAt(b.siteId, Date.now() + HOUR, { conversation: 'c', channel: 'sms' });
    await b.send([landingEvent({ tk: foreign }), landingEvent({ tk: future })]);
    expect(await landingTouches(b.siteId)).toEqual([]);
    expect(await failed(b.siteId)).toEqual({ forged: 2 });
  });

  it('honours a genuine token for 400 days after issue, whatever the windows; one second more is expired, not forged', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const landedAt = second(Date.now() - HOUR);
    const link = { conversation: 'old', channel: 'whatsapp' };
    // Past the 14-day default window, which starts at the landing, not at the issue.
    const fifteenDays = await issuedAt(shop.siteId, landedAt - 15 * DAY, link);
    const onTheBound = await issuedAt(shop.siteId, landedAt - LIMITS.tokenLifetimeMs, link);
    const past = await issuedAt(shop.siteId, landedAt - LIMITS.tokenLifetimeMs - 1000, link);
    await shop.send([
      landingEvent({ id: 'fifteen', tk: fifteenDays.token, ts: landedAt }),
      landingEvent({ id: 'bound', tk: onTheBound.token, ts: landedAt }),
      landingEvent({ id: 'past', tk: past.token, ts: landedAt }),
    ]);
    expect((await landingTouches(shop.siteId)).map((t) => t.event_id).sort()).toEqual(['bound', 'fifteen']);
    expect(await failed(shop.siteId)).toEqual({ expired: 1 });
    expect(await chatCounts(shop)).toEqual({ invalid: 0, expired: 1 });
  });

  it('counts a genuine token whose link row is missing as invalid (unknown link)', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const { keyId, secret } = await linkKey(shop.siteId);
    const unknown = await signToken({ siteId: shop.siteId, keyId, secret, linkId: newLinkId(), issuedAt: Date.now() });
    await shop.send([landingEvent({ tk: unknown })]);
    expect(await landingTouches(shop.siteId)).toEqual([]);
    expect(await failed(shop.siteId)).toEqual({ unknown_link: 1 });
    expect(await chatCounts(shop)).toEqual({ invalid: 1, expired: 0 });
  });

  it('verifies tokens of an older link key after a new one signs, and refuses a key id the site never had', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const before = await tag(shop, 'c-1', 'sms');
    await env.DB.prepare(
      "insert into site_secrets (site_id, purpose, key_id, secret, created_at) values (?, 'link', 2, 'rotated-secret-0123456789abcdef', ?)",
    )
      .bind(shop.siteId, Date.now())
      .run();
    const after = await tag(shop, 'c-2', 'sms');
    const { token: strange } = await issuedAt(shop.siteId, Date.now(), { conversation: 'c-3', channel: 'sms' });
    // The same token with a key id (byte 1) the site does not have: the MAC cannot be checked.
    const bytes = fromBase64Url(strange)!;
    bytes[1] = 9;
    const unknownKey = toBase64Url(bytes);
    await shop.send([landingEvent({ tk: before }), landingEvent({ tk: after }), landingEvent({ tk: unknownKey })]);
    expect((await landingTouches(shop.siteId)).map((t) => t.conversation).sort()).toEqual(['c-1', 'c-2']);
    expect(await failed(shop.siteId)).toEqual({ forged: 1 });
  });

  it('makes every landing a touch: the same visitor landing again, in one batch or later, touches the conversation again', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'wa-1', 'whatsapp');
    const who = visitor();
    const now = Date.now();
    const first = landingEvent({ ...who, tk: token, ts: now - 3 * HOUR });
    await shop.send([first, landingEvent({ ...who, tk: token, ts: now - 2 * HOUR })]);
    await shop.send([landingEvent({ ...who, tk: token, ts: now - HOUR })]);
    expect((await landingTouches(shop.siteId)).map((t) => [t.visitor_id, t.ts])).toEqual([
      [who.v, now - 3 * HOUR],
      [who.v, now - 2 * HOUR],
      [who.v, now - HOUR],
    ]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: who.v, ts: first.ts });
  });

  it('keeps links of different conversations apart for the same visitor', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const t1 = await tag(shop, 'c-1', 'email');
    const t2 = await tag(shop, 'c-2', 'whatsapp');
    const who = visitor();
    await shop.send([
      landingEvent({ ...who, tk: t1, ts: Date.now() - 1000 }),
      landingEvent({ ...who, tk: t2, ts: Date.now() }),
    ]);
    expect((await landingTouches(shop.siteId)).map((t) => [t.conversation, t.channel])).toEqual([
      ['c-1', 'email'],
      ['c-2', 'whatsapp'],
    ]);
  });
});

describe("a link's recipient", () => {
  it('is the visitor whose landing is earliest in time, in one batch whatever the order of its events', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'wa-9', 'sms');
    const [late, early] = [visitor(), visitor()];
    const now = Date.now();
    await shop.send([
      landingEvent({ ...late, tk: token, ts: now - HOUR }),
      landingEvent({ ...early, tk: token, ts: now - 2 * HOUR }),
    ]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: early.v, ts: now - 2 * HOUR });
  });

  it('at the same millisecond is the smaller visitor id, whichever landing arrives first', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'wa-9', 'sms');
    const ts = Date.now() - HOUR;
    await shop.send([landingEvent({ v: 'visitor-b', tk: token, ts })]);
    await shop.send([landingEvent({ v: 'visitor-c', tk: token, ts })]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: 'visitor-b', ts });
    await shop.send([landingEvent({ v: 'visitor-a', tk: token, ts })]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: 'visitor-a', ts });
  });

  it('moves to a late-arriving landing that happened first, and to nobody else; the touches stay as stored', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const token = await tag(shop, 'wa-9', 'sms');
    const [friend, recipient] = [visitor(), visitor()];
    const now = Date.now();
    await shop.send([landingEvent({ ...friend, tk: token, ts: now - HOUR })]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: friend.v, ts: now - HOUR });
    const touches = await landingTouches(shop.siteId);

    // A later landing of someone else changes nothing; an earlier one of the recipient moves its time.
    await shop.send([landingEvent({ tk: token, ts: now - 30 * 60_000 })]);
    await shop.send([landingEvent({ ...friend, tk: token, ts: now - 90 * 60_000 })]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: friend.v, ts: now - 90 * 60_000 });

    // The landing that really came first arrives last: its visitor is the recipient now.
    await shop.send([landingEvent({ ...recipient, tk: token, ts: now - 2 * HOUR })]);
    expect(await recipientOf(shop.siteId)).toMatchObject({ visitor: recipient.v, ts: now - 2 * HOUR });
    // Forwarded is read from the link when shown: no touch was rewritten.
    const after = await landingTouches(shop.siteId);
    for (const t of touches) expect(after).toContainEqual(t);
    expect(after).toHaveLength(4);
  });

  it('is kept per link: one visitor can be the recipient of one link and the forward of another', async () => {
    const shop = await createShop({ allowedOrigins: [ORIGIN] });
    const a = await issuedAt(shop.siteId, Date.now() - DAY, { conversation: 'c-1', channel: 'sms' });
    const b = await issuedAt(shop.siteId, Date.now() - DAY, { conversation: 'c-2', channel: 'sms' });
    const [ann, bob] = [visitor(), visitor()];
    const now = Date.now();
    await shop.send([
      landingEvent({ ...ann, tk: a.token, ts: now - 2 * HOUR }),
      landingEvent({ ...bob, tk: a.token, ts: now - HOUR }),
      landingEvent({ ...bob, tk: b.token, ts: now - 3 * HOUR }),
      landingEvent({ ...ann, tk: b.token, ts: now - HOUR }),
    ]);
    expect(await recipientOf(shop.siteId, a.linkId)).toMatchObject({ visitor: ann.v });
    expect(await recipientOf(shop.siteId, b.linkId)).toMatchObject({ visitor: bob.v });
    expect(await landingTouches(shop.siteId)).toHaveLength(4);
  });
});
