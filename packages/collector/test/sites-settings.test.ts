import type { Settings } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { settingsHooks } from '../src/app.js';
import type { Site } from '../src/sites/site.js';
import { callWithKey, createSite, postEvents, widgetEvent } from './helpers.js';

describe('GET/PUT /v1/settings', () => {
  it('answers the defaults of a new site and says it accepts any origin', async () => {
    const site = await createSite();
    const res = await callWithKey(site.readKey, '/v1/settings');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      allowedOrigins: [],
      acceptsAnyOrigin: true,
      attributionWindows: { default: 1_209_600, kinds: {}, channels: {}, campaigns: {} },
      creditPolicy: 'every',
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
    const put = await callWithKey(site.readKey, '/v1/settings', {
      method: 'PUT',
      body: { attributionWindows: windows, allowedOrigins: ['https://shop.example'] },
    });
    expect(put.status).toBe(200);
    const expected = {
      allowedOrigins: ['https://shop.example'],
      acceptsAnyOrigin: false,
      attributionWindows: windows,
      creditPolicy: 'every',
    };
    expect(await put.json()).toEqual(expected);
    expect(await (await callWithKey(site.readKey, '/v1/settings')).json()).toEqual(expected);

    const policy = await callWithKey(site.readKey, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'first' } });
    expect(await policy.json()).toEqual({ ...expected, creditPolicy: 'first' });
  });

  it('applies new allowed origins to event ingestion at once', async () => {
    const site = await createSite();
    await callWithKey(site.readKey, '/v1/settings', {
      method: 'PUT',
      body: { allowedOrigins: ['https://shop.example'] },
    });
    expect((await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://other.example' })).status).toBe(403);
    expect((await postEvents(site.writeKey, [widgetEvent()], { origin: 'https://shop.example' })).status).toBe(202);
  });

  it('rejects invalid settings with details and changes nothing', async () => {
    const site = await createSite();
    const invalid = [
      { attributionWindows: { default: 0, kinds: {}, channels: {}, campaigns: {} } },
      { attributionWindows: { default: 60, kinds: { banner: 60 }, channels: {}, campaigns: {} } },
      { allowedOrigins: ['shop.example'] },
      { creditPolicy: 'last' },
      { unknownField: true },
      {},
    ];
    for (const body of invalid) {
      const res = await callWithKey(site.readKey, '/v1/settings', { method: 'PUT', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_settings', details: expect.any(Array) } });
    }
    expect(await (await callWithKey(site.readKey, '/v1/settings')).json()).toMatchObject({
      allowedOrigins: [],
      creditPolicy: 'every',
    });
  });

  it('needs the read key', async () => {
    const site = await createSite();
    expect((await callWithKey('ltr_unknown', '/v1/settings')).status).toBe(401);
    expect((await callWithKey(site.writeKey, '/v1/settings')).status).toBe(403);
    expect(
      (await callWithKey(site.agentKey, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'first' } })).status,
    ).toBe(403);
  });

  it('calls the settings hooks after saving, with the settings before and after', async () => {
    const site = await createSite();
    const calls: { site: Site; before: Settings; after: Settings }[] = [];
    const hook = async (_db: D1Database, changed: Site, before: Settings, after: Settings) => {
      calls.push({ site: changed, before, after });
    };
    settingsHooks.push(hook);
    try {
      await callWithKey(site.readKey, '/v1/settings', { method: 'PUT', body: { creditPolicy: 'first' } });
    } finally {
      settingsHooks.splice(settingsHooks.indexOf(hook), 1);
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      site: { id: site.siteId, settings: { creditPolicy: 'first' } },
      before: { creditPolicy: 'every' },
      after: { creditPolicy: 'first' },
    });
  });
});
