import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SWEEP_LEASE_MS } from '../src/jobs/sweep-step.js';
import { createShop, HOUR, type Shop, visitor } from './attribution-helpers.js';
import { wrapD1 } from './d1-wrappers.js';
import { callWithKey, createSite, postEvents, settled } from './helpers.js';
import { heldQueue, jobOf, putSettings, versionOf } from './jobs-helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const DEFAULT_WINDOWS = { default: 1_209_600, kinds: {}, channels: {}, campaigns: {} };
/** Pop-up clicks count for 30 seconds only: an order a minute after its click loses its credit. */
const SHORT_POPUP = { attributionWindows: { ...DEFAULT_WINDOWS, kinds: { popup: 30 } } };

const put = (readKey: string, body: unknown) => callWithKey(readKey, '/v1/settings', { method: 'PUT', body });

/** A shop whose one visitor clicked the pop-up and ordered a minute later (credited by default). */
async function shopWithCreditedOrder(): Promise<Shop> {
  const shop = await createShop();
  const who = visitor();
  const ts = Date.now() - HOUR;
  await shop.send([widgetEvent({ ...who, ts }), checkoutEvent({ ...who, ts: ts + 60_000 })]);
  expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1 })]);
  return shop;
}

describe('GET/PUT /v1/settings', () => {
  it('answers the defaults of a new site and says it accepts any origin', async () => {
    const site = await createSite();
    const res = await callWithKey(site.readKey, '/v1/settings');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      allowedOrigins: [],
      acceptsAnyOrigin: true,
      attributionWindows: DEFAULT_WINDOWS,
      creditPolicy: 'every',
      timezone: 'UTC',
    });
  });

  it('replaces only the given top-level fields and keeps them', async () => {
    const site = await createSite();
    const windows = {
      default: 86_400,
      kinds: { popup: 3600 },
      channels: { sms: 86_400 },
      campaigns: { spring: 259_200 },
    };
    const res = await put(site.readKey, { attributionWindows: windows, allowedOrigins: ['https://shop.example'] });
    expect(res.status).toBe(200);
    const expected = {
      allowedOrigins: ['https://shop.example'],
      acceptsAnyOrigin: false,
      attributionWindows: windows,
      creditPolicy: 'every',
      timezone: 'UTC',
    };
    expect(await res.json()).toEqual(expected);
    expect(await (await callWithKey(site.readKey, '/v1/settings')).json()).toEqual(expected);

    const policy = await put(site.readKey, { creditPolicy: 'first' });
    expect(await policy.json()).toEqual({ ...expected, creditPolicy: 'first' });
    const zone = await put(site.readKey, { timezone: 'Asia/Kathmandu' });
    expect(await zone.json()).toEqual({ ...expected, creditPolicy: 'first', timezone: 'Asia/Kathmandu' });
  });

  it('applies new allowed origins to event ingestion at once', async () => {
    const site = await createSite();
    await put(site.readKey, { allowedOrigins: ['https://shop.example'] });
    expect((await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://other.example' })).status).toBe(403);
    expect((await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://shop.example' })).status).toBe(202);
  });

  it('rejects invalid settings with details and changes nothing', async () => {
    const site = await createSite();
    const invalid = [
      { attributionWindows: { ...DEFAULT_WINDOWS, default: 0 } },
      { attributionWindows: { ...DEFAULT_WINDOWS, default: 31_536_001 } },
      { attributionWindows: { ...DEFAULT_WINDOWS, kinds: { banner: 60 } } },
      { attributionWindows: { default: 60 } },
      { allowedOrigins: ['shop.example'] },
      { creditPolicy: 'last' },
      { timezone: 'Mars/Olympus' },
      { timezone: '+02:00' },
      { timezone: 2 },
      { unknownField: true },
      {},
    ];
    for (const body of invalid) {
      const res = await put(site.readKey, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_settings', details: expect.any(Array) } });
    }
    // A channel named __proto__ (an own key, as JSON.parse makes it) is refused, not dropped silently.
    const proto = JSON.parse(
      '{"attributionWindows":{"default":60,"kinds":{},"channels":{"__proto__":60},"campaigns":{}}}',
    );
    expect((await put(site.readKey, proto)).status).toBe(400);
    expect(await (await callWithKey(site.readKey, '/v1/settings')).json()).toMatchObject({
      allowedOrigins: [],
      attributionWindows: DEFAULT_WINDOWS,
      creditPolicy: 'every',
      timezone: 'UTC',
    });
    expect(await versionOf(site.siteId)).toBe(0);
  });

  it('needs the read key', async () => {
    const site = await createSite();
    expect((await callWithKey('ltr_unknown', '/v1/settings')).status).toBe(401);
    expect((await callWithKey(site.writeKey, '/v1/settings')).status).toBe(403);
    expect((await put(site.agentKey, { creditPolicy: 'first' })).status).toBe(403);
  });
});

describe('a settings change that can move credit', () => {
  it('starts a sweep (a jobs row and a message) that re-attributes every order and ends the job', async () => {
    const shop = await shopWithCreditedOrder();
    const held = heldQueue();
    const before = Date.now();
    const res = await putSettings(shop.readKey, SHORT_POPUP, { WORK_QUEUE: held.queue });
    expect(res.status).toBe(200);
    expect(await versionOf(shop.siteId)).toBe(1);
    expect(held.sent).toEqual([{ k: 'sweep', site: shop.siteId, version: 1, cursor: null }]);
    const job = await jobOf(shop.siteId, 'sweep');
    expect(job).toMatchObject({ version: 1, cursor: null, attempts: 0, parkedReason: null });
    // The cron resends it only if no step made progress within the lease.
    expect(job!.nextAt).toBeGreaterThanOrEqual(before + SWEEP_LEASE_MS);

    await env.WORK_QUEUE.send(held.sent[0]!);
    await settled();
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 0 })]);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
  });

  it('sweeps on a credit policy change too, and settles through the real queue', async () => {
    const shop = await createShop();
    const who = visitor();
    const ts = Date.now() - HOUR;
    await shop.send([
      widgetEvent({ ...who, ts }),
      checkoutEvent({ ...who, ts: ts + 60_000 }),
      checkoutEvent({ ...who, ts: ts + 120_000 }),
    ]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 2 })]);
    await shop.settings({ creditPolicy: 'first' });
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1 })]);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
    expect(await versionOf(shop.siteId)).toBe(1);
  });

  it('starts nothing for a change that moves no credit: origins, time zone, or the same windows again', async () => {
    const shop = await shopWithCreditedOrder();
    const held = heldQueue();
    for (const patch of [
      { allowedOrigins: ['https://shop.example'] },
      { timezone: 'Europe/Paris' },
      { attributionWindows: DEFAULT_WINDOWS, creditPolicy: 'every' },
    ]) {
      expect((await putSettings(shop.readKey, patch, { WORK_QUEUE: held.queue })).status).toBe(200);
    }
    expect(held.sent).toEqual([]);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
    expect(await versionOf(shop.siteId)).toBe(0);
  });

  it('answers 503 when the settings cannot be saved, and keeps the old settings, version and no job', async () => {
    const shop = await shopWithCreditedOrder();
    const held = heldQueue();
    const failing = wrapD1(env.DB, (sql) => sql.startsWith('update sites set settings'));
    const res = await putSettings(shop.readKey, SHORT_POPUP, { DB: failing.db, WORK_QUEUE: held.queue });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).not.toBeNull();
    expect((await shop.get<{ attributionWindows: unknown }>('/v1/settings')).attributionWindows).toEqual(
      DEFAULT_WINDOWS,
    );
    expect(await versionOf(shop.siteId)).toBe(0);
    expect(await jobOf(shop.siteId, 'sweep')).toBeNull();
    expect(held.sent).toEqual([]);
  });

  it('answers 200 when the message is lost: the job row stays for the cron to resend', async () => {
    const shop = await shopWithCreditedOrder();
    const lost = heldQueue(true);
    const res = await putSettings(shop.readKey, SHORT_POPUP, { WORK_QUEUE: lost.queue });
    expect(res.status).toBe(200);
    expect(await jobOf(shop.siteId, 'sweep')).toMatchObject({ version: 1, cursor: null });
    await settled();
    // Nothing moved yet: only the message would have started the sweep.
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ orders: 1 })]);
  });
});
