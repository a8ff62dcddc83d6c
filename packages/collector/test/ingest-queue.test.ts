import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { countEvents, createSite, ingest, settled } from './helpers.js';
import { widgetEvent } from './sdk-events.js';

describe('events through the work queue', () => {
  it('stores accepted events once the consumer ran', async () => {
    const site = await createSite();
    const t0 = Date.now();
    const body = await ingest(site.writeKey, [widgetEvent({ t: 'instance' }), widgetEvent({ t: 'click' })]);
    expect(body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    await settled();
    console.log('settled after', Date.now() - t0, 'ms');
    expect(await countEvents(site.siteId)).toBe(2);
    const rows = await env.DB.prepare('select * from widget_slots where site_id = ?').bind(site.siteId).all();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ instances: 1, clicks: 1 });
  });
});
