import { env } from 'cloudflare:workers';
import { type ChatStatsResponse, LINK_PARAM } from '@lasttouch/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordLink } from '../src/links/queries.js';
import { newLinkId, signToken } from '../src/links/token.js';
import { callWithKey, checkoutEvent, createSite, ingest, landingEvent, uid } from './helpers.js';

const ORIGIN = 'https://shop.example';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Site = Awaited<ReturnType<typeof createSite>>;

async function issue(site: Site, conversation: string, channel: string, agent?: string): Promise<string> {
  const res = await callWithKey(site.agentKey, '/v1/links', {
    method: 'POST',
    body: { url: `${ORIGIN}/p`, conversation, channel, ...(agent ? { agent } : {}) },
  });
  expect(res.status).toBe(201);
  return new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
}

/** A link issued in the past, recorded and signed as `POST /v1/links` would have then. */
async function issuedBefore(site: Site, issuedAt: number, conversation: string, channel: string, agent: string) {
  const { link_secret: secret } = (await env.DB.prepare('select link_secret from sites where id = ?')
    .bind(site.siteId)
    .first<{ link_secret: string }>())!;
  const linkId = newLinkId();
  const token = await signToken({ siteId: site.siteId, secret, linkId, issuedAt });
  await recordLink(env.DB, {
    siteId: site.siteId,
    linkId,
    url: `${ORIGIN}/p?${LINK_PARAM}=${token}`,
    conversation,
    channel,
    agent,
    issuedAt,
  });
  return token;
}

const chat = async (site: Site, query: string): Promise<ChatStatsResponse> => {
  const res = await callWithKey(site.readKey, `/v1/stats/chat?${query}`);
  expect(res.status).toBe(200);
  return res.json();
};

/**
 * Hand-computed scenario (sms window 1 day, default 14 days, credit policy `every`):
 * - conv-a (whatsapp, ana), two links: V1 lands at -3h, orders 40 EUR at -2h and 20 EUR at -1h.
 * - conv-b (whatsapp, bob): V2 lands at -5h, orders 10 USD at -4h.
 * - conv-c (sms, ana), issued 3 days ago: V3 lands at -2d and orders 25 EUR at -1h (outside the
 *   sms day: no credit); V4, a forwarded landing at -2h, orders 30 EUR at -1h.
 * - conv-d (email, no agent): a link nobody opened.
 * - V5 orders 50 EUR without any contact; V6 lands with a tampered token and orders 5 EUR.
 */
describe('GET /v1/stats/chat', () => {
  let site: Site;
  const now = Date.now();
  const v = { v1: uid('v1'), v2: uid('v2'), v3: uid('v3'), v4: uid('v4'), v5: uid('v5'), v6: uid('v6') };
  const orderOfV4 = uid('order-v4');

  beforeAll(async () => {
    site = await createSite({ allowedOrigins: [ORIGIN] });
    const windows = { default: 14 * 86_400, kinds: {}, channels: { sms: 86_400 }, campaigns: {} };
    expect(
      (await callWithKey(site.readKey, '/v1/settings', { method: 'PUT', body: { attributionWindows: windows } }))
        .status,
    ).toBe(200);

    const a = await issue(site, 'conv-a', 'whatsapp', 'ana');
    await issue(site, 'conv-a', 'whatsapp', 'ana');
    const b = await issue(site, 'conv-b', 'whatsapp', 'bob');
    const c = await issuedBefore(site, now - 3 * DAY, 'conv-c', 'sms', 'ana');
    await issue(site, 'conv-d', 'email');
    const tampered = `${a.slice(0, 10)}${a[10] === 'x' ? 'y' : 'x'}${a.slice(11)}`;

    const send = (events: unknown[]) => ingest(site.writeKey, events, { origin: ORIGIN });
    await send([landingEvent({ v: v.v1, tk: a, ts: now - 3 * HOUR })]);
    await send([checkoutEvent({ v: v.v1, val: 40, cur: 'EUR', ts: now - 2 * HOUR })]);
    await send([
      landingEvent({ v: v.v1, tk: a, ts: now - 90 * 60_000 }),
      checkoutEvent({ v: v.v1, val: 20, cur: 'EUR', ts: now - HOUR }),
    ]);
    await send([
      landingEvent({ v: v.v2, tk: b, ts: now - 5 * HOUR }),
      checkoutEvent({ v: v.v2, val: 10, cur: 'USD', ts: now - 4 * HOUR }),
    ]);
    await send([
      landingEvent({ v: v.v3, tk: c, ts: now - 2 * DAY }),
      checkoutEvent({ v: v.v3, val: 25, cur: 'EUR', ts: now - HOUR }),
    ]);
    await send([
      landingEvent({ v: v.v4, tk: c, ts: now - 2 * HOUR }),
      checkoutEvent({ v: v.v4, o: orderOfV4, val: 30, cur: 'EUR', ts: now - HOUR }),
    ]);
    await send([checkoutEvent({ v: v.v5, val: 50, cur: 'EUR', ts: now - HOUR })]);
    await send([
      landingEvent({ v: v.v6, tk: tampered, ts: now - 2 * HOUR }),
      checkoutEvent({ v: v.v6, val: 5, cur: 'EUR', ts: now - HOUR }),
    ]);
  });

  const totals = [
    { websiteTransactions: 6, websiteTurnover: 170, websiteAverageOrderValue: 28.33, currency: 'EUR' },
    { websiteTransactions: 1, websiteTurnover: 10, websiteAverageOrderValue: 10, currency: 'USD' },
  ];

  it('per channel: contacts without clicks, per-currency rows, sms window applied, site totals', async () => {
    const res = await chat(site, 'groupBy=channel');
    expect(res.groupBy).toBe('channel');
    expect(res.rows).toEqual([
      {
        group: 'whatsapp',
        contacts: 2,
        transactionsAfterContact: 2,
        turnoverAfterContact: 60,
        conversionRate: 1,
        averageOrderValueAfterContact: 30,
        averageSecondsBeforePurchase: 5400,
        turnoverPerContact: 30,
        currency: 'EUR',
      },
      {
        group: 'whatsapp',
        contacts: 2,
        transactionsAfterContact: 1,
        turnoverAfterContact: 10,
        conversionRate: 0.5,
        averageOrderValueAfterContact: 10,
        averageSecondsBeforePurchase: 3600,
        turnoverPerContact: 5,
        currency: 'USD',
      },
      {
        group: 'email',
        contacts: 1,
        transactionsAfterContact: 0,
        turnoverAfterContact: 0,
        conversionRate: 0,
        averageOrderValueAfterContact: null,
        averageSecondsBeforePurchase: null,
        turnoverPerContact: 0,
        currency: null,
      },
      {
        group: 'sms',
        contacts: 1,
        transactionsAfterContact: 1,
        turnoverAfterContact: 30,
        conversionRate: 1,
        averageOrderValueAfterContact: 30,
        averageSecondsBeforePurchase: 3600,
        turnoverPerContact: 30,
        currency: 'EUR',
      },
    ]);
    expect(res.totals).toEqual(totals);
    expect(res.invalidLandings).toBe(1);
  });

  it('per agent: a conversation without agent is the "" group', async () => {
    const res = await chat(site, 'groupBy=agent');
    expect(
      res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact, r.turnoverAfterContact, r.currency]),
    ).toEqual([
      ['ana', 2, 3, 90, 'EUR'],
      ['', 1, 0, 0, null],
      ['bob', 1, 1, 10, 'USD'],
    ]);
    expect(res.rows[0]).toMatchObject({
      conversionRate: 1.5,
      averageOrderValueAfterContact: 30,
      averageSecondsBeforePurchase: 4800,
      turnoverPerContact: 45,
    });
    expect(res.totals).toEqual(totals);
  });

  it('per conversation: a conversation with two links is one contact', async () => {
    const res = await chat(site, 'groupBy=conversation');
    expect(
      res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact, r.turnoverAfterContact, r.currency]),
    ).toEqual([
      ['conv-a', 1, 2, 60, 'EUR'],
      ['conv-b', 1, 1, 10, 'USD'],
      ['conv-c', 1, 1, 30, 'EUR'],
      ['conv-d', 1, 0, 0, null],
    ]);
  });

  it('shows the forwarded landing in the order detail', async () => {
    const res = await callWithKey(site.readKey, `/v1/orders/${orderOfV4}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      credited: { action: 'link_landing', channel: 'sms', conversation: 'conv-c', forwarded: true },
    });
  });

  it('counts contacts by the day links were issued: a range before today has only conv-c', async () => {
    const to = new Date(now - 2 * DAY).toISOString();
    const res = await chat(site, `groupBy=conversation&from=${new Date(now - 5 * DAY).toISOString()}&to=${to}`);
    expect(res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact])).toEqual([['conv-c', 1, 0]]);
    expect(res.totals).toEqual([]);
    expect(res.invalidLandings).toBe(0);
  });

  it('with verified=true counts no SDK-only order but keeps contacts', async () => {
    const res = await chat(site, 'groupBy=channel&verified=true');
    expect(res.rows.map((r) => [r.group, r.contacts, r.transactionsAfterContact])).toEqual([
      ['whatsapp', 2, 0],
      ['email', 1, 0],
      ['sms', 1, 0],
    ]);
    expect(res.totals).toEqual([]);
  });

  it('refuses an unknown groupBy, a bad range and a non-read key', async () => {
    for (const query of ['groupBy=visitor', 'from=yesterday', 'verified=yes']) {
      const res = await callWithKey(site.readKey, `/v1/stats/chat?${query}`);
      expect(res.status, query).toBe(400);
    }
    expect((await callWithKey(site.agentKey, '/v1/stats/chat')).status).toBe(403);
    expect((await callWithKey(site.writeKey, '/v1/stats/chat')).status).toBe(403);
  });
});
