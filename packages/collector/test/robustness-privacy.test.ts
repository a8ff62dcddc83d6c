/**
 * Issue 8, item 6, and issue 19, finding 7 (collector side): after a full scenario whose every
 * request carries a distinctive user agent, client IP headers, an e-mail in `From` and `Referer`,
 * and cookies, no column of any table and no log line holds any of them, nor anything shaped
 * like an IP address or e-mail; nor a key, a link token, a clear customer id or a tagged url's
 * query.
 */
import { env } from 'cloudflare:workers';
import { LINK_PARAM } from '@lasttouch/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, createSite, dumpDatabase, settled, uid } from './helpers.js';
import { checkoutEvent, landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) PrivacyProbe/9.9.9 Chrome/131.0.0.0 Safari/537.36';
const IPV4 = '203.0.113.77';
const IPV6 = '2001:db8:85a3::8a2e:370:7334';
const EMAIL = 'shopper.probe@example.com';

/** Request metadata a browser, proxy or Cloudflare's edge attaches; none of it may be stored. */
const METADATA = {
  'User-Agent': UA,
  'CF-Connecting-IP': IPV4,
  'CF-Connecting-IPv6': IPV6,
  'X-Forwarded-For': `${IPV4}, ${IPV6}`,
  'X-Real-IP': IPV4,
  'True-Client-IP': IPV4,
  'CF-IPCountry': 'NL',
  From: EMAIL,
  Referer: `${ORIGIN}/account?email=${encodeURIComponent(EMAIL)}`,
  Cookie: `session=${EMAIL}; ip=${IPV4}`,
  'Accept-Language': 'nl-NL,nl;q=0.9',
};

const send = (path: string, key: string, body: unknown, method = 'POST') =>
  call(path, {
    method,
    headers: { ...METADATA, Origin: ORIGIN, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Every console line the collector writes while `run` runs. */
async function logsOf(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(' '));
    });
  }
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('privacy', () => {
  it('stores and logs no IP address, user agent, e-mail, key, token, clear customer id or url query', async () => {
    const site = await createSite({ allowedOrigins: [ORIGIN] });
    const customer = 'customer-probe-4242';
    let token = '';
    let rotatedKey = '';
    const visitor = uid('visitor');
    const orderId = uid('order');
    const lines = await logsOf(async () => {
      const link = await send('/v1/links', site.agentKey, {
        url: `${ORIGIN}/p/1?email=${encodeURIComponent(EMAIL)}&ref=probe-query`,
        conversation: 'wa-1',
        channel: 'whatsapp',
      });
      expect(link.status).toBe(201);
      token = new URL((await link.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
      const { k: _k, w: _w, t: _t, ...ids } = widgetEvent({ v: visitor });
      const events = [
        { ...ids, t: 'identify', cu: customer },
        ...(['instance', 'click', 'hover', 'dismiss'] as const).map((t) =>
          widgetEvent({ t, k: 'notification', w: 'ship-free', c: 'spring', q: 'welcome', v: visitor }),
        ),
        widgetEvent({ t: 'click', k: 'block', w: 'hero', v: visitor }),
        landingEvent({ tk: token, v: visitor }),
        landingEvent({ tk: 'forged.token', v: visitor }),
        checkoutEvent({ o: orderId, v: visitor, val: 40 }),
      ];
      const res = await send('/v1/events', site.writeKey, { e: events });
      expect(await res.json()).toMatchObject({ accepted: events.length });
      // As sendBeacon sends it: key in the body, text/plain.
      const beacon = await call('/v1/events', {
        method: 'POST',
        headers: { ...METADATA, Origin: ORIGIN, 'Content-Type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({ k: site.writeKey, e: [widgetEvent({ v: visitor })] }),
      });
      expect(beacon.status).toBe(202);
      expect(
        (
          await send('/v1/orders', site.readKey, {
            orderId,
            value: 40,
            currency: 'EUR',
            visitorId: visitor,
            customerId: customer,
          })
        ).status,
      ).toBe(200);
      rotatedKey = (await (await send('/v1/keys/rotate', site.readKey, { kind: 'agent' })).json<{ key: string }>()).key;
      expect((await send('/v1/keys/rotate', site.readKey, { kind: 'link-secret' })).status).toBe(201);
      expect(
        (
          await send(
            '/v1/agents/ann/hours',
            site.readKey,
            { date: new Date().toISOString().slice(0, 10), hours: 2 },
            'PUT',
          )
        ).status,
      ).toBe(200);
      // A wrong key from the same address, and an admin guess: refused, not remembered.
      expect((await send('/v1/settings', `${site.readKey}x`, {}, 'PUT')).status).toBe(401);
      expect((await send('/v1/sites', 'admin-guess', { name: 'x' })).status).toBe(401);
      expect((await send('/v1/settings', site.readKey, { creditPolicy: 'first' }, 'PUT')).status).toBe(200);
      for (const path of [
        '/v1/stats/widgets',
        '/v1/stats/chat',
        '/v1/stats/daily',
        '/v1/stats/lift',
        `/v1/orders/${orderId}`,
      ]) {
        expect((await call(path, { headers: { ...METADATA, Authorization: `Bearer ${site.readKey}` } })).status).toBe(
          200,
        );
      }
      await settled();
    });

    const dump = await dumpDatabase();
    const logs = lines.join('\n');
    expect(dump).toContain(visitor);
    const secrets = [site.writeKey, site.agentKey, site.readKey, rotatedKey, token, customer, 'probe-query'];
    for (const needle of [UA, 'PrivacyProbe', IPV4, IPV6, '2001:db8', EMAIL, 'shopper.probe', 'nl-NL', ...secrets]) {
      expect(dump, needle).not.toContain(needle);
      expect(logs, needle).not.toContain(needle);
    }
    // The tagged link is kept as origin and path.
    const { results: urls } = await env.DB.prepare('select url from links where site_id = ?')
      .bind(site.siteId)
      .all<{ url: string }>();
    expect(urls).toEqual([{ url: `${ORIGIN}/p/1` }]);
    // Nothing shaped like an IPv4 address or an e-mail, whoever sent it.
    expect(dump).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(dump).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
    expect(logs).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    const { results } = await env.DB.prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'",
    ).all();
    console.log(
      `[robustness] privacy: ${results.length} tables (${dump.length} characters) and ${lines.length} log lines scanned after a scenario of every event type, links, orders, settings, rotation and wrong keys: 0 IP addresses, 0 user agents, 0 e-mails, 0 keys, tokens, clear customer ids or url queries`,
    );
  });

  it('keeps page paths to the path: a query string or hash (which can hold an e-mail) is not stored', async () => {
    const site = await createSite();
    const res = await call('/v1/events', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ k: site.writeKey, e: [widgetEvent({ p: `/account?email=${EMAIL}#top` })] }),
    });
    expect(res.status).toBe(202);
    // The wire format says `p` is the pathname only (no query, no hash); the SDK strips them.
    // A collector that stored them anyway (another sender, an old SDK) would keep whatever a
    // storefront's URLs carry.
    await settled();
    const dump = await dumpDatabase();
    expect(dump).not.toContain(EMAIL);
    expect(dump).not.toContain('#top');
  });
});
