/**
 * Late and out-of-order events leave results as a recount in time order would. The same
 * landings and orders of tagged links, sent in time order and in other arrival orders and
 * batchings (retries included), end with the same touches, recipients, order credits, chat
 * stats and counts of landings that earned nothing.
 */
import { env } from 'cloudflare:workers';
import { type ChatStatsResponse, LIMITS } from '@lasttouch/shared';
import { seededRandom } from '@lasttouch/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { newLinkId, signToken } from '../src/links/token.js';
import { createShop, DAY, dateOf, HOUR, type Shop } from './attribution-helpers.js';
import { ingest, settled } from './helpers.js';
import { issuedAt, linkKey, tampered } from './links-helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

/** A whole hour, so every event below falls on well-defined days whatever the time of the run. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const ISSUED = T0 - 4 * DAY;
const RANGE = `from=${dateOf(T0 - 5 * DAY)}&to=${dateOf(T0 + HOUR)}`;

const R = 'visitor-recipient';
/** Lands at the same millisecond as R; the smaller visitor id, so the link's recipient. */
const G = 'visitor-a-twin';
const F = 'visitor-friend';
const V = 'visitor-sms';

/** Two links issued four days before T0, and three tokens that must earn nothing. */
interface Tokens {
  whatsapp: string;
  sms: string;
  tampered: string;
  expired: string;
  unknown: string;
}

async function shop(): Promise<Shop & { tokens: Tokens }> {
  const site = await createShop();
  await site.settings({
    attributionWindows: { default: 14 * 86_400, kinds: {}, channels: { sms: 86_400 }, campaigns: {} },
  });
  const whatsapp = await issuedAt(site.siteId, ISSUED, { conversation: 'wa-1', channel: 'whatsapp', agent: 'ana' });
  const sms = await issuedAt(site.siteId, ISSUED, { conversation: 'sms-1', channel: 'sms', agent: 'bo' });
  const { keyId, secret } = await linkKey(site.siteId);
  const sign = (linkId: string, at: number) => signToken({ siteId: site.siteId, keyId, secret, linkId, issuedAt: at });
  return Object.assign(site, {
    tokens: {
      whatsapp: whatsapp.token,
      sms: sms.token,
      tampered: tampered(whatsapp.token),
      // The WhatsApp link's own id, signed as if issued more than 400 days before its landing.
      expired: await sign(whatsapp.linkId, T0 - 3 * HOUR - LIMITS.tokenLifetimeMs - 1000),
      unknown: await sign(newLinkId(), T0 - DAY),
    },
  });
}

/**
 * The story, identical ids and times on every site:
 * - R and G open the WhatsApp link first, at the same millisecond: G, the smaller visitor id, is
 *   its recipient whatever arrives first. R forwards it to F, who opens it twice; R and F buy.
 *   F's order goes to F's second landing (every landing is a touch); both are shown forwarded.
 * - V opens the SMS link 30 h before buying and again 2 h before: the one-day SMS window starts
 *   at each landing, so the second earns the order.
 * - Three landings carry a token that earns nothing: altered, expired, unknown link.
 */
function story(tokens: Tokens) {
  const at = (hoursBefore: number) => T0 - hoursBefore * HOUR;
  return [
    landingEvent({ id: 'r-land', v: R, s: 'r-s1', tk: tokens.whatsapp, ts: at(50) }),
    landingEvent({ id: 'g-land', v: G, s: 'g-s1', tk: tokens.whatsapp, ts: at(50) }),
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

/**
 * Sends events in the given order, in batches of the given sizes (cycled), without waiting for
 * the queue in between (so the consumer also sees several batches in one step); `twice` sends
 * every batch again, as a client retrying after a lost answer does.
 */
async function send(writeKey: string, events: unknown[], batchSizes: number[], twice = false): Promise<void> {
  for (let i = 0, b = 0; i < events.length; b++) {
    const size = batchSizes[b % batchSizes.length]!;
    const batch = events.slice(i, i + size);
    await ingest(writeKey, batch);
    if (twice) await ingest(writeKey, batch);
    i += size;
  }
  await settled();
}

const rows = async (sql: string, siteId: string) =>
  (await env.DB.prepare(sql).bind(siteId).all<Record<string, unknown>>()).results;

/** Everything arrival order must not change, without what differs between sites (link ids). */
async function outcome(site: Shop) {
  const detail = async (orderId: string) => {
    const { credited } = await site.detail(orderId);
    return credited && { ts: credited.ts, conversation: credited.conversation, forwarded: credited.forwarded };
  };
  const chat = (groupBy: string) => site.get<ChatStatsResponse>(`/v1/stats/chat?groupBy=${groupBy}&${RANGE}`);
  return {
    touches: await rows(
      `select event_id, visitor_id, session_id, ts, action, channel, conversation, agent
       from touches where site_id = ? order by event_id`,
      site.siteId,
    ),
    recipients: await rows(
      'select conversation, recipient_visitor, recipient_ts from links where site_id = ? order by conversation',
      site.siteId,
    ),
    orders: await rows('select order_id, applied from orders where site_id = ? order by order_id', site.siteId),
    credits: await rows(
      `select slot, action, channel, conversation, agent, currency, orders, value_minor, ms_to_order
       from credit_slots where site_id = ? and (orders <> 0 or value_minor <> 0 or ms_to_order <> 0)
       order by slot, action, channel, conversation`,
      site.siteId,
    ),
    failed: await rows(
      `select slot, metric, count from site_slots where site_id = ? and count <> 0 order by slot, metric`,
      site.siteId,
    ),
    credited: {
      f: await detail('order-f'),
      r: await detail('order-r'),
      v: await detail('order-v'),
    },
    chat: [await chat('channel'), await chat('agent'), await chat('conversation')],
  };
}

const arrivals = [
  { name: 'reversed, one event per batch', events: (t: Tokens) => story(t).reverse(), batches: [1] },
  { name: 'reversed, in batches', events: (t: Tokens) => story(t).reverse(), batches: [3, 2] },
  { name: 'in time order, every batch sent twice', events: story, batches: [2, 3], twice: true },
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

  it('in time order: every genuine landing a touch, the first lander the recipient, each order to its latest landing', () => {
    expect(expected.touches.map((t) => t.event_id)).toEqual([
      'f-click',
      'f-land-1',
      'f-land-2',
      'g-land',
      'r-land',
      'v-land-1',
      'v-land-2',
    ]);
    expect(expected.recipients).toEqual([
      { conversation: 'sms-1', recipient_visitor: V, recipient_ts: T0 - 30 * HOUR },
      { conversation: 'wa-1', recipient_visitor: G, recipient_ts: T0 - 50 * HOUR },
    ]);
    expect(expected.credited).toEqual({
      f: { ts: new Date(T0 - 10 * HOUR).toISOString(), conversation: 'wa-1', forwarded: true },
      r: { ts: new Date(T0 - 50 * HOUR).toISOString(), conversation: 'wa-1', forwarded: true },
      v: { ts: new Date(T0 - 2 * HOUR).toISOString(), conversation: 'sms-1', forwarded: false },
    });
    const metrics = expected.failed.map((r) => `${r.metric} ${r.count}`).sort();
    expect(metrics).toEqual(['landing_expired 1', 'landing_forged 1', 'landing_unknown_link 1']);
    // From the conversation's first link (four days before T0) to each order.
    const [byChannel] = expected.chat;
    expect(byChannel!.rows).toEqual([
      expect.objectContaining({
        group: 'sms',
        contacts: 1,
        transactionsAfterContact: 1,
        turnoverAfterContact: 25,
        averageSecondsBeforePurchase: 95 * 3600,
      }),
      expect.objectContaining({
        group: 'whatsapp',
        contacts: 1,
        transactionsAfterContact: 2,
        turnoverAfterContact: 100,
        averageSecondsBeforePurchase: ((91 + 96) / 2) * 3600,
      }),
    ]);
    expect([byChannel!.invalidLandings, byChannel!.expiredLandings]).toEqual([2, 1]);
  });

  it.each(arrivals)('$name: same touches, recipients, credits, chat stats and counts', async (arrival) => {
    const site = await shop();
    await send(site.writeKey, arrival.events(site.tokens), arrival.batches, 'twice' in arrival);
    expect(await outcome(site)).toEqual(expected);
  });
});
