import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createShop, HOUR, visitor } from './attribution-helpers.js';
import { call, createSite, uid } from './helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

const dump = async (db: D1Database) => {
  const { results } = await db
    .prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'",
    )
    .all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of results)
    parts.push(JSON.stringify((await db.prepare(`select * from "${name}"`).all()).results));
  return parts.join('\n');
};

describe('sites on several databases', () => {
  it('keeps each site’s data in its own database, stats and attribution right on both', async () => {
    const [one, two] = await Promise.all([createShop({ database: 'DB' }), createShop({ database: 'DB_2' })]);
    const now = Date.now();
    const results = [];
    for (const shop of [one, two]) {
      const who = visitor();
      const order = uid('order');
      await shop.send([widgetEvent({ ...who, ts: now - HOUR }), checkoutEvent({ ...who, o: order, ts: now, val: 20 })]);
      results.push({ shop, who, order });
    }
    for (const { shop, order } of results) {
      expect((await shop.detail(order)).credited).toMatchObject({ action: 'popup_click' });
      expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1, value: 20 })]);
    }
    const [dbOne, dbTwo] = [await dump(env.DB), await dump(env.DB_2)];
    expect(dbOne).toContain(results[0]!.who.v);
    expect(dbOne).not.toContain(results[1]!.who.v);
    expect(dbTwo).toContain(results[1]!.who.v);
    expect(dbTwo).not.toContain(results[0]!.who.v);
    // The directory (sites, keys, secrets) stays in DB.
    for (const table of ['sites', 'api_keys', 'site_secrets']) {
      expect(await env.DB_2.prepare(`select count(*) as n from ${table}`).first('n')).toBe(0);
    }
    expect(await env.DB.prepare('select database from sites where id = ?').bind(two.siteId).first('database')).toBe(
      'DB_2',
    );
  });

  it('places a new site on the least filled database unless told, and refuses an unknown one', async () => {
    const before = await Promise.all(
      [env.DB, env.DB_2].map(async (db) => (await db.prepare('select 1').run()).meta.size_after),
    );
    const site = await call('/v1/sites', {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Auto placed' }),
    }).then((r) => r.json<{ siteId: string }>());
    const row = await env.DB.prepare('select database from sites where id = ?')
      .bind(site.siteId)
      .first<{ database: string }>();
    expect(row?.database).toBe(before[0]! <= before[1]! ? 'DB' : 'DB_2');
    await expect(createSite({ database: 'DB_9' })).rejects.toThrow(/400/);
  });
});
