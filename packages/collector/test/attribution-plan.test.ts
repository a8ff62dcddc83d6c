import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { meterD1 } from '../bench/d1-meter.js';
import { loadInteractions } from '../src/attribution/queries.js';
import { createSite, ingest, uid, widgetEvent } from './helpers.js';

/**
 * The candidate query attribution runs for one visitor, as the attribution code issues it
 * (captured through a metered D1, not copied), with D1's rows read.
 */
async function candidateQuery(siteId: string, visitorId: string) {
  const { db, usage } = meterD1(env.DB);
  const candidates = await loadInteractions(db, siteId, visitorId);
  expect(usage.log).toHaveLength(1);
  const [query] = usage.log;
  return { candidates, ...query! };
}

/** Qualifying clicks of `visitors` visitors, `each` apiece, in batches the collector accepts. */
async function clicks(writeKey: string, visitors: number, each: number): Promise<void> {
  const events = Array.from({ length: visitors }, () => uid('visitor')).flatMap((v) =>
    Array.from({ length: each }, (_, n) => widgetEvent({ v, s: `${v}-s`, ts: Date.now() - 60_000 + n })),
  );
  for (let i = 0; i < events.length; i += 100) await ingest(writeKey, events.slice(i, i + 100));
}

describe('attribution candidate query', () => {
  it('is an index search on (site, visitor), never a scan of interactions', async () => {
    const site = await createSite();
    const v = uid('visitor');
    await ingest(site.writeKey, [widgetEvent({ v }), widgetEvent({ v, k: 'block', w: 'hero' })]);
    const { sql, params } = await candidateQuery(site.siteId, v);
    const { results } = await env.DB.prepare(`explain query plan ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const plan = results.map((r) => r.detail);
    expect(plan).toContainEqual(
      expect.stringMatching(/^SEARCH interactions USING (COVERING )?INDEX \w+ \(site_id=\? AND visitor_id=\?/),
    );
    expect(plan.filter((d) => /^SCAN interactions/.test(d))).toEqual([]);
  });

  it("reads the visitor's own candidates, however many rows other visitors and sites hold", async () => {
    const site = await createSite();
    const other = await createSite();
    const v = uid('visitor');
    await ingest(site.writeKey, [widgetEvent({ v }), widgetEvent({ v }), widgetEvent({ v, k: 'block', w: 'hero' })]);
    const before = await candidateQuery(site.siteId, v);
    expect(before.candidates).toHaveLength(3);
    // A small constant over the rows returned: the index probe, never the table.
    expect(before.rowsRead).toBeLessThanOrEqual(before.candidates.length + 1);

    await clicks(site.writeKey, 60, 5);
    await clicks(other.writeKey, 20, 5);
    const after = await candidateQuery(site.siteId, v);
    expect(after.candidates).toHaveLength(3);
    expect(after.rowsRead).toBe(before.rowsRead);
  }, 30_000); // Five ingest requests: the default 5 s is tight on a loaded two-core machine.
});
