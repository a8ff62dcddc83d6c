import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { PersonKey } from '../src/identity/person.js';
import { attributionStep } from '../src/jobs/attribution-step.js';
import { pruneStep } from '../src/jobs/prune-step.js';
import { noSeeds } from '../src/jobs/seeds.js';
import { sweepStep } from '../src/jobs/sweep-step.js';
import { loadSites } from '../src/sites/queries.js';
import { createShop, DAY, HOUR, visitor } from './attribution-helpers.js';
import { checkoutEvent, widgetEvent } from './sdk-events.js';

/**
 * Touches are pruned once no order that is not settled can reach them (docs/attribution.md,
 * "Settled orders"); a settled order keeps whom it credits when its person is re-attributed
 * again later (an identify, a late event, a settings sweep). Workers cannot move the clock, so
 * the prune and the later re-attribution are run with a `now` 80 days ahead.
 */
describe('an order older than touch retention', () => {
  const later = () => Date.now() + 80 * DAY;

  async function orderWithPrunedTouch() {
    const shop = await createShop();
    const who = visitor();
    await shop.send([widgetEvent({ ...who, ts: Date.now() - HOUR }), checkoutEvent({ ...who, ts: Date.now() - 1000 })]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1 })]);
    const site = (await loadSites(env.DB, [shop.siteId])).get(shop.siteId)!;
    await pruneStep(env.DB, env.DB, site, { k: 'prune', site: shop.siteId, cursor: null }, later());
    const { n } = (await env.DB.prepare('select count(*) as n from touches where site_id = ?')
      .bind(shop.siteId)
      .first<{ n: number }>())!;
    expect(n).toBe(0);
    return { shop, site, who };
  }

  it('keeps its credit when its person is re-attributed after its touches were pruned', async () => {
    const { shop, site, who } = await orderWithPrunedTouch();
    const key = `v:${who.v}` as PersonKey;
    expect(await attributionStep(env.DB, site, noSeeds(), [{ key, from: null }], [], later())).toEqual([]);
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1 })]);
  });

  it('keeps its credit across a settings sweep after its touches were pruned', async () => {
    const { shop, site } = await orderWithPrunedTouch();
    await sweepStep(
      env.DB,
      env.DB,
      site,
      { k: 'sweep', site: shop.siteId, version: site.settingsVersion, cursor: null },
      later(),
    );
    expect((await shop.widgets()).rows).toEqual([expect.objectContaining({ clicks: 1, orders: 1 })]);
  });
});
