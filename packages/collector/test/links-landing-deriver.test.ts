import { env } from 'cloudflare:workers';
import { type LandingEvent, LINK_PARAM } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/db/client.js';
import { normalizeEvent } from '../src/ingest/normalize.js';
import type { IngestContext } from '../src/ingest/types.js';
import { recordLanding } from '../src/links/landing.js';
import { loadSite } from '../src/sites/queries.js';
import { callWithKey, createSite, ingest, landingEvent } from './helpers.js';

const ORIGIN = 'https://shop.example';

async function shopWithLink() {
  const created = await createSite({ allowedOrigins: [ORIGIN] });
  const res = await callWithKey(created.agentKey, '/v1/links', {
    method: 'POST',
    body: { url: `${ORIGIN}/p`, conversation: 'wa-1', channel: 'whatsapp' },
  });
  const token = new URL((await res.json<{ url: string }>()).url).searchParams.get(LINK_PARAM)!;
  const site = (await loadSite(createDb(env.DB), created.siteId))!;
  return { created, site, token };
}

/** Runs the deriver's statements alone, as stage 1 would, without stage 2 working off the queue. */
async function deriveAndCommit(ctx: IngestContext, wire: LandingEvent): Promise<void> {
  const normalized = normalizeEvent(wire, ctx.site.id, ctx.now);
  if (!normalized.ok) throw new Error('invalid test event');
  await env.DB.batch(await recordLanding(ctx, normalized.event, wire));
}

const queued = (siteId: string) =>
  env.DB.prepare("select subject_id from attribution_queue where site_id = ? and subject = 'visitor'")
    .bind(siteId)
    .all<{ subject_id: string }>()
    .then((r) => r.results.map((row) => row.subject_id));

const flags = (siteId: string) =>
  env.DB.prepare('select visitor_id, forwarded from interactions where site_id = ? order by ts')
    .bind(siteId)
    .all<{ visitor_id: string; forwarded: number }>()
    .then((r) => r.results.map((row) => [row.visitor_id, row.forwarded]));

describe('recordLanding', () => {
  it('queues the former recipient for attribution when a late landing of another visitor came first', async () => {
    const { created, site, token } = await shopWithLink();
    const now = Date.now();
    const friend = landingEvent({ tk: token, ts: now - 60_000 });
    await ingest(created.writeKey, [friend], { origin: ORIGIN });
    expect(await queued(site.id)).toEqual([]);

    const recipient = landingEvent({ tk: token, ts: now - 120_000 });
    await deriveAndCommit({ db: env.DB, site, now }, recipient);
    expect(await flags(site.id)).toEqual([
      [recipient.v, 0],
      [friend.v, 1],
    ]);
    expect(await queued(site.id)).toEqual([friend.v]);
  });

  it('queues nobody else when the late landing is the same visitor, or came after the recipient', async () => {
    const { created, site, token } = await shopWithLink();
    const now = Date.now();
    const first = landingEvent({ tk: token, ts: now - 60_000 });
    await ingest(created.writeKey, [first], { origin: ORIGIN });
    const ctx = { db: env.DB, site, now };
    await deriveAndCommit(ctx, landingEvent({ v: first.v, tk: token, ts: now - 120_000 }));
    await deriveAndCommit(ctx, landingEvent({ tk: token, ts: now - 30_000 }));
    expect(await queued(site.id)).toEqual([]);
  });
});
