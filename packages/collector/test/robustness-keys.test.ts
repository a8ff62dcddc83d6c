/**
 * Issue 8, item 2, and issue 19: mutated link tokens and API keys are never accepted on any
 * route, keys carry their kind's prefix and are stored only as hashes, and no secret, address or
 * clear customer id reaches a log line.
 */
import { env } from 'cloudflare:workers';
import { KEY_PREFIXES, LINK_PARAM } from '@lasttouch/shared';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../src/app.js';
import {
  BASE_URL,
  call,
  callWithKey,
  createSite,
  dumpDatabase,
  postEvents,
  settled,
  tableCounts,
  uid,
} from './helpers.js';
import { RUNS, SEED } from './robustness-arbitraries.js';
import { landingEvent, widgetEvent } from './sdk-events.js';

const ORIGIN = 'https://shop.example';
/** Mutated tokens: 2,000 in the test run, ROBUSTNESS_RUNS (10,000) in the bench run. */
const TOKENS = Math.max(2000, RUNS);
/** Mutated keys per kind: the test run uses RUNS (200), the bench run 10000. */
const KEYS_PER_KIND = RUNS;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A one-edit mutation of `secret`: a character replaced, inserted or deleted (never a no-op). */
const mutation = (secret: string, alphabet: string) =>
  fc
    .oneof(
      fc
        .tuple(fc.nat(secret.length - 1), fc.constantFrom(...alphabet))
        .map(([i, c]) => secret.slice(0, i) + c + secret.slice(i + 1)),
      fc
        .tuple(fc.nat(secret.length), fc.constantFrom(...alphabet))
        .map(([i, c]) => secret.slice(0, i) + c + secret.slice(i)),
      fc.nat(secret.length - 1).map((i) => secret.slice(0, i) + secret.slice(i + 1)),
      fc.nat(secret.length - 2).map((i) => secret.slice(0, i) + secret[i + 1] + secret[i] + secret.slice(i + 2)),
      fc.constantFrom(secret.toUpperCase(), secret.toLowerCase()),
    )
    .filter((m) => m !== secret);

/** Landings that earned a touch: only a genuine token's do. */
const landings = async (siteId: string) =>
  (await env.DB.prepare("select count(*) as n from touches where site_id = ? and type = 'landing'")
    .bind(siteId)
    .first<{ n: number }>())!.n;

const invalidLandings = async (readKey: string) =>
  (await (await callWithKey(readKey, '/v1/stats/chat')).json<{ invalidLandings: number }>()).invalidLandings;

describe('tokens and keys', { timeout: 600_000 }, () => {
  let site: Awaited<ReturnType<typeof createSite>>;
  let token: string;

  beforeAll(async () => {
    site = await createSite({ allowedOrigins: [ORIGIN] });
    const res = await callWithKey(site.agentKey, '/v1/links', {
      body: { url: `${ORIGIN}/p/1`, conversation: 'wa-1', channel: 'whatsapp' },
    });
    expect(res.status).toBe(201);
    token = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
  });

  it(`${TOKENS} mutated link tokens landed through POST /v1/events: 0 accepted`, async () => {
    const mutants = fc.sample(mutation(token, `${BASE64URL}.`), { seed: SEED, numRuns: TOKENS });
    let sent = 0;
    let storedAsEvents = 0;
    let rejectedByShape = 0;
    for (let i = 0; i < mutants.length; i += 100) {
      const batch = mutants.slice(i, i + 100).map((tk) => landingEvent({ tk, v: uid('visitor') }));
      const res = await postEvents(site.writeKey, batch);
      expect(res.status).toBe(202);
      const body = await res.json<{ accepted: number; rejected: unknown[] }>();
      sent += batch.length;
      storedAsEvents += body.accepted;
      rejectedByShape += body.rejected.length;
    }
    await settled();
    const invalid = await invalidLandings(site.readKey);
    const accepted = await landings(site.siteId);
    console.log(
      `[robustness] link tokens: ${sent} mutated tokens landed, ${accepted} accepted, ${invalid} counted invalid, ${rejectedByShape} refused as malformed events`,
    );
    expect(accepted).toBe(0);
    expect(invalid).toBe(storedAsEvents);
    expect(storedAsEvents + rejectedByShape).toBe(TOKENS);

    // The oracle can fail: the real token lands.
    await postEvents(site.writeKey, [landingEvent({ tk: token })]);
    await settled();
    expect(await landings(site.siteId)).toBe(1);
  });

  it(`mutated API keys of every kind on the endpoints they guard: 0 accepted`, async () => {
    const guarded: Record<'write' | 'agent' | 'read', (key: string) => Promise<Response>[]> = {
      write: (key) => [postEvents(key, [widgetEvent()]), postEvents(key, [widgetEvent()], { keyInHeader: true })],
      agent: (key) => [
        callWithKey(key, '/v1/links', { body: { url: `${ORIGIN}/p`, conversation: 'c', channel: 'sms' } }),
      ],
      read: (key) => [
        callWithKey(key, '/v1/settings'),
        callWithKey(key, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'first' } }),
        callWithKey(key, '/v1/stats/widgets'),
        callWithKey(key, '/v1/stats/chat'),
        callWithKey(key, '/v1/stats/daily'),
        callWithKey(key, '/v1/stats/lift'),
        callWithKey(key, '/v1/orders', { body: { orderId: uid('o'), value: 1, currency: 'EUR' } }),
        callWithKey(key, '/v1/orders/o-1'),
        callWithKey(key, '/v1/links', { body: { url: `${ORIGIN}/p`, conversation: 'c', channel: 'sms' } }),
        callWithKey(key, '/v1/agents/ann/hours', { method: 'PUT', body: { date: '2026-11-20', hours: 1 } }),
        callWithKey(key, '/v1/visitors/v-1', { method: 'DELETE' }),
        callWithKey(key, '/v1/customers/c-1', { method: 'DELETE' }),
        callWithKey(key, '/v1/keys/rotate', { body: { kind: 'read' } }),
      ],
    };
    const keys = { write: site.writeKey, agent: site.agentKey, read: site.readKey };
    const before = await tableCounts();
    let tried = 0;
    let accepted = 0;
    for (const kind of ['write', 'agent', 'read'] as const) {
      const key = keys[kind];
      expect(key.startsWith(KEY_PREFIXES[kind])).toBe(true);
      const others = Object.values(KEY_PREFIXES).filter((p) => p !== KEY_PREFIXES[kind]);
      const mutants = [
        ...others.map((p) => p + key.slice(4)),
        ...fc.sample(mutation(key, `${BASE64URL}+/=.`), { seed: SEED, numRuns: KEYS_PER_KIND - others.length }),
      ];
      for (const mutant of mutants) {
        for (const res of await Promise.all(guarded[kind](mutant))) {
          tried++;
          if (res.status < 300) accepted++;
          expect(res.status, `${kind} key ${mutant}`).toBe(401);
        }
      }
    }
    await settled();
    expect(await tableCounts()).toEqual(before);
    const admin = fc.sample(mutation(env.ADMIN_TOKEN, `${BASE64URL}`), { seed: SEED, numRuns: RUNS });
    for (const mutant of admin) {
      const answers = [
        await call('/v1/sites', {
          method: 'POST',
          headers: { Authorization: `Bearer ${mutant}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: 'x' }),
        }),
        await callWithKey(mutant, '/v1/keys/rotate', { body: { kind: 'read', siteId: site.siteId } }),
        await callWithKey(mutant, '/v1/admin/dead-letters/replay', { method: 'POST' }),
      ];
      for (const res of answers) {
        tried++;
        if (res.status < 300) accepted++;
        expect(res.status).toBe(401);
      }
    }
    expect(await tableCounts()).toEqual(before);
    console.log(
      `[robustness] API keys: ${tried} requests with mutated write/agent/read keys and admin tokens, ${accepted} accepted`,
    );
    // The oracle can fail: the real keys pass.
    expect((await callWithKey(site.readKey, '/v1/settings')).status).toBe(200);
  });

  it('stores keys only as hashes, with the prefix of their kind', async () => {
    const fresh = await createSite();
    expect(fresh.writeKey).toMatch(/^ltw_[A-Za-z0-9_-]{32}$/);
    expect(fresh.agentKey).toMatch(/^lta_[A-Za-z0-9_-]{32}$/);
    expect(fresh.readKey).toMatch(/^ltr_[A-Za-z0-9_-]{32}$/);
    const dump = await dumpDatabase();
    for (const key of [fresh.writeKey, fresh.agentKey, fresh.readKey]) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(key.slice(4));
    }
  });

  describe('logs', () => {
    afterEach(() => vi.restoreAllMocks());

    it('carry no key, token or secret, even on failures', async () => {
      const lines: string[] = [];
      for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          lines.push(
            args
              .map((a) =>
                a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a),
              )
              .join(' '),
          );
        });
      }
      const shop = await createSite({ allowedOrigins: [ORIGIN] });
      const address = '203.0.113.99';
      const customer = 'customer-in-clear@example.com';
      const res = await callWithKey(shop.agentKey, '/v1/links', {
        body: { url: `${ORIGIN}/p/1?email=${encodeURIComponent(customer)}`, conversation: 'wa-9', channel: 'whatsapp' },
      });
      const link = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
      const visitor = uid('visitor');
      const { k: _k, w: _w, t: _t, ...ids } = widgetEvent({ v: visitor });
      const sent = await postEvents(
        shop.writeKey,
        [landingEvent({ tk: link, v: visitor }), widgetEvent({ v: visitor }), { ...ids, t: 'identify', cu: customer }],
        { origin: ORIGIN, headers: { 'CF-Connecting-IP': address } },
      );
      expect(await sent.json()).toMatchObject({ accepted: 3 });
      await postEvents(shop.writeKey, [widgetEvent()], { origin: 'https://evil.example' });
      await postEvents(`${shop.writeKey}x`, [widgetEvent()], { headers: { 'CF-Connecting-IP': address } });
      await callWithKey(shop.readKey, '/v1/orders', {
        body: { orderId: uid('o'), value: 1, currency: 'EUR', visitorId: visitor, customerId: customer },
      });
      await callWithKey(shop.readKey, '/v1/stats/widgets');
      await callWithKey(`${shop.readKey}x`, '/v1/stats/widgets');
      await callWithKey(shop.writeKey, '/v1/settings');
      await call('/v1/sites', { method: 'POST', headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}x` } });
      const rotatedKey = (
        await (await callWithKey(shop.readKey, '/v1/keys/rotate', { body: { kind: 'agent' } })).json<{ key: string }>()
      ).key;
      await callWithKey(shop.readKey, '/v1/keys/rotate', { body: { kind: 'link-secret' } });
      await callWithKey(shop.readKey, `/v1/customers/${encodeURIComponent(customer)}`, { method: 'DELETE' });
      await settled();
      // A failing database makes the collector log its failure: the spy must see that line.
      const failing = new Proxy(env.DB, {
        get(target, prop, receiver) {
          if (prop === 'batch') return () => Promise.reject(new Error('D1_ERROR: simulated write failure'));
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const failed = await app.fetch(
        new Request(`${BASE_URL}/v1/events`, {
          method: 'POST',
          headers: {
            'Content-Type': 'text/plain',
            Authorization: `Bearer ${shop.writeKey}`,
            'CF-Connecting-IP': address,
          },
          body: JSON.stringify({ e: [widgetEvent()] }),
        }),
        { ...env, DB: failing },
      );
      expect(failed.status).toBe(503);
      expect(lines.some((l) => l.includes('simulated write failure'))).toBe(true);

      const { results } = await env.DB.prepare('select secret from site_secrets where site_id = ?')
        .bind(shop.siteId)
        .all<{ secret: string }>();
      const secrets = [
        shop.writeKey,
        shop.agentKey,
        shop.readKey,
        rotatedKey,
        env.ADMIN_TOKEN,
        ...results.map((r) => r.secret),
        link,
        address,
        customer,
      ];
      for (const secret of secrets) {
        for (const line of lines) expect(line).not.toContain(secret);
      }
      vi.restoreAllMocks();
      console.log(
        `[robustness] logs: ${lines.length} log lines captured over a scenario with failures, 0 hold a key, secret, token, address or customer id`,
      );
    });
  });
});
