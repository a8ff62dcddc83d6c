/**
 * Issue 4: late and out-of-order events leave results as a full recount would. The same
 * landings and orders of tagged links, sent in time order and in other arrival orders, must end
 * with the same interactions, forwarded flags, order credits, chat stats and invalid counts.
 */
import { env } from 'cloudflare:workers';
import { LINK_PARAM } from '@lasttouch/shared';
import { seededRandom } from '@lasttouch/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/links/token.js';
import { callWithKey, checkoutEvent, createSite, ingest, landingEvent, widgetEvent } from './helpers.js';

const ORIGIN = 'https://shop.example';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A whole hour, so every event below falls on well-defined days whatever the time of the run. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - HOUR;

const R = 'visitor-recipient';
const F = 'visitor-friend';
const V = 'visitor-sms';

/** Tokens of one site: two links issued four days ago, and three that must not count. */
interface Tokens {
  whatsapp: string;
  sms: string;
  tampered: string;
  expired: string;
  unknown: string;
}

async function issue(agentKey: string, conversation: string, channel: string, agent: string): Promise<string> {
  const res = await callWithKey(agentKey, '/v1/links', {
    method: 'POST',
    body: { url: `${ORIGIN}/p/1`, conversation, channel, agent },
  });
  expect(res.status).toBe(201);
  const token = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
  return token;
}

async function shop(): Promise<{ siteId: string; writeKey: string; readKey: string; tokens: Tokens }> {
  const site = await createSite({ allowedOrigins: [ORIGIN] });
  const res = await callWithKey(site.readKey, '/v1/settings', {
    method: 'PUT',
    body: { attributionWindows: { default: 14 * 86_400, kinds: {}, channels: { sms: 86_400 }, campaigns: {} } },
  });
  expect(res.status).toBe(200);
  await issue(site.agentKey, 'wa-1', 'whatsapp', 'ana');
  await issue(site.agentKey, 'sms-1', 'sms', 'bo');
  const { results } = await env.DB.prepare('select link_id, channel from links where site_id = ?')
    .bind(site.siteId)
    .all<{ link_id: string; channel: string }>();
  const secret = (await env.DB.prepare('select link_secret from sites where id = ?')
    .bind(site.siteId)
    .first<string>('link_secret'))!;
  // Re-signed as issued four days ago, so the earliest landings below come after the issue.
  const sign = (linkId: string, issuedAt: number) => signToken({ siteId: site.siteId, secret, linkId, issuedAt });
  const linkOf = (channel: string) => results.find((r) => r.channel === channel)!.link_id;
  const whatsapp = await sign(linkOf('whatsapp'), T0 - 4 * DAY);
  return {
    ...site,
    tokens: {
      whatsapp,
      sms: await sign(linkOf('sms'), T0 - 4 * DAY),
      tampered: `${whatsapp.slice(0, 20)}${whatsapp[20] === 'A' ? 'B' : 'A'}${whatsapp.slice(21)}`,
      expired: await sign(linkOf('whatsapp'), T0 - 20 * DAY),
      unknown: await sign('AAAAAAAAAAAA', T0 - DAY),
    },
  };
}

/**
 * The story, identical ids and times on every site:
 * - R opens the WhatsApp link first, then forwards it to F, who opens it twice; both buy.
 * - V opens the SMS link 30 h before buying and again 2 h before: the SMS window is one day and
 *   runs from the first landing, so V's order is not the link's.
 * - Three landings carry a token that earns nothing.
 */
function story(tokens: Tokens) {
  const at = (hoursBefore: number) => T0 - hoursBefore * HOUR;
  return [
    landingEvent({ id: 'r-land', v: R, s: 'r-s1', tk: tokens.whatsapp, ts: at(50) }),
    widgetEvent({ id: 'f-click', v: F, s: 'f-s1', ts: at(45) }),
    landingEvent({ id: 'f-land-1', v: F, s: 'f-s2', tk: tokens.whatsapp, ts: at(40) }),
    landingEvent({ id: 'v-land-1', v: V, s: 'v-s1', tk: tokens.sms, ts: at(30) }),
    landingEvent({ id: 'x-tampered', tk: tokens.tampered, ts: at(20) }),
    landingEvent({ id: 'f-land-2', v: F, s: 'f-s3', tk: tokens.whatsapp, ts: at(10) }),
    checkoutEvent({ id: 'f-buy', v: F, s: 'f-s3', o: 'order-f', val: 40, ts: at(5) }),
    landingEvent({ id: 'x-expired', tk: tokens.expired, ts: at(3) }),
    landingEvent({ id: 'v-land-2', v: V, s: 'v-s2', tk: tokens.sms, ts: at(2) }),
    checkoutEvent({ id: 'v-buy', v: V, s: 'v-s2', o: 'order-v', val: 25, ts: at(1) }),
    landingEvent({ id: 'x-unknown', tk: tokens.unknown, ts: at(1) }),
    checkoutEvent({ id: 'r-buy', v: R, s: 'r-s2', o: 'order-r', val: 60, ts: at(0) }),
  ];
}

/** A deterministic shuffle, so a failure names the seed that produced it. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Sends events in the given order, in batches of the given sizes (cycled). */
async function send(writeKey: string, events: unknown[], batchSizes: number[]): Promise<void> {
  for (let i = 0, b = 0; i < events.length; b++) {
    const size = batchSizes[b % batchSizes.length]!;
    await ingest(writeKey, events.slice(i, i + size), { origin: ORIGIN });
    i += size;
  }
}

const rows = async (sql: string, siteId: string) =>
  (await env.DB.prepare(sql).bind(siteId).all<Record<string, unknown>>()).results;

/** Everything arrival order must not change, without what differs between sites (ids of links). */
async function outcome(site: { siteId: string; readKey: string }) {
  const chat = await callWithKey(
    site.readKey,
    `/v1/stats/chat?from=${new Date(T0 - 5 * DAY).toISOString()}&to=${new Date(T0 + DAY).toISOString()}`,
  );
  expect(chat.status).toBe(200);
  return {
    interactions: await rows(
      `select event_id, visitor_id, session_id, ts, action, channel, conversation, agent, forwarded
       from interactions where site_id = ? order by event_id`,
      site.siteId,
    ),
    orders: await rows(
      'select order_id, credited_event_id, applied from orders where site_id = ? order by order_id',
      site.siteId,
    ),
    credits: await rows(
      `select day, action, channel, conversation, agent, currency, orders, value_minor, ms_to_order
       from order_credit_daily where site_id = ? and (orders <> 0 or value_minor <> 0 or ms_to_order <> 0)
       order by day, action, channel, conversation`,
      site.siteId,
    ),
    invalid: await rows(
      'select day, reason, landings from invalid_landings_daily where site_id = ? order by day, reason',
      site.siteId,
    ),
    chat: await chat.json(),
  };
}

const arrivals = [
  { name: 'reversed, one event per batch', events: (t: Tokens) => story(t).reverse(), batches: [1] },
  { name: 'reversed, in batches', events: (t: Tokens) => story(t).reverse(), batches: [3, 2] },
  ...[7, 42, 1234].map((seed) => ({
    name: `shuffled (seed ${seed})`,
    events: (t: Tokens) => shuffled(story(t), seed),
    batches: [2, 1, 3],
  })),
];

describe('tagged-link landings in any arrival order', () => {
  let expected: Awaited<ReturnType<typeof outcome>>;

  beforeAll(async () => {
    const site = await shop();
    await send(site.writeKey, story(site.tokens), [1]);
    expected = await outcome(site);
  });

  it('in time order: earliest landing per visitor, the first lander is the recipient', () => {
    expect(expected.interactions.map((i) => [i.event_id, i.forwarded])).toEqual([
      ['f-click', 0],
      ['f-land-1', 1],
      ['r-land', 0],
      ['v-land-1', 0],
    ]);
    // V's SMS window runs from the first landing (30 h before the order): the order is nobody's.
    expect(expected.orders.map((o) => [o.order_id, o.credited_event_id])).toEqual([
      ['order-f', 'f-land-1'],
      ['order-r', 'r-land'],
      ['order-v', null],
    ]);
    expect(expected.invalid.map((r) => `${r.reason} ${r.landings}`).sort()).toEqual([
      'expired 1',
      'signature 1',
      'unknown_link 1',
    ]);
  });

  it.each(arrivals)('$name: same interactions, flags, credits, chat stats and invalid counts', async (arrival) => {
    const site = await shop();
    await send(site.writeKey, arrival.events(site.tokens), arrival.batches);
    expect(await outcome(site)).toEqual(expected);
  });
});
