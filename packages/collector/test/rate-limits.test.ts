import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { BASE_URL, countEvents, createSite, postEvents, settled, widgetEvent } from './helpers.js';

const batch = (writeKey: string, events: unknown[]) =>
  new Request(`${BASE_URL}/v1/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain' },
    body: JSON.stringify({ k: writeKey, e: events }),
  });

describe('rate limits', () => {
  it('refuses a visitor past its per-visitor limit with 429 and Retry-After, storing nothing, while others go on', async () => {
    const site = await createSite();
    // The limiter counts in fixed 10 s windows: the first refusal comes after at least the limit
    // (100) and, if a window turned over meanwhile, at most two windows' worth.
    let accepted = 0;
    let refused: { res: Response; id: string } | undefined;
    while (!refused && accepted <= 200) {
      const event = widgetEvent({ v: 'busy' });
      const res = await postEvents(site.writeKey, [event]);
      if (res.status === 202) accepted++;
      else refused = { res, id: event.id };
    }
    expect(accepted).toBeGreaterThanOrEqual(100);
    expect(refused?.res.status).toBe(429);
    expect(refused?.res.headers.get('Retry-After')).toBe('10');
    expect(await refused?.res.json()).toMatchObject({ error: { code: 'rate_limited' } });
    await settled();
    expect(await countEvents(site.siteId, [refused!.id])).toBe(0);
    expect(await countEvents(site.siteId)).toBe(accepted);

    expect((await postEvents(site.writeKey, [widgetEvent({ v: 'calm' })])).status).toBe(202);
  }, 30_000);

  it('refuses a site past its ingestion limit (a tiny limiter swapped in)', async () => {
    const site = await createSite();
    const tight = { ...env, EVENTS_SITE_LIMITER: env.TEST_TIGHT_LIMITER };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.fetch(batch(site.writeKey, [widgetEvent()]), tight)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    await settled();
    expect(await countEvents(site.siteId)).toBe(3);
  });

  it('refuses a site past its API limit on keyed endpoints', async () => {
    const site = await createSite();
    const tight = { ...env, API_SITE_LIMITER: env.TEST_TIGHT_LIMITER };
    const get = () =>
      app.fetch(
        new Request(`${BASE_URL}/v1/settings`, { headers: { Authorization: `Bearer ${site.readKey}` } }),
        tight,
      );
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get()).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const last = await get();
    expect(last.status).toBe(429);
    expect(last.headers.get('Retry-After')).toBe('10');
  });
});
