import type { LinkRequest } from '@lasttouch/shared';
import { and, eq } from 'drizzle-orm';
import { createDb } from '../db/client.js';
import { linkLandings, links } from '../db/schema/index.js';
import { countContact } from '../stats/link-aggregates.js';

/* The `links` and `link_landings` tables: links as issued, and each visitor's earliest landing. */

export interface IssuedLink extends LinkRequest {
  siteId: string;
  linkId: string;
  url: string;
  issuedAt: number;
}

/** Records an issued link and counts its conversation as a contact of that day, in one transaction. */
export async function recordLink(d1: D1Database, link: IssuedLink): Promise<void> {
  const db = createDb(d1);
  const agent = link.agent ?? null;
  await db.batch([
    db.insert(links).values({
      siteId: link.siteId,
      linkId: link.linkId,
      conversation: link.conversation,
      channel: link.channel,
      agent,
      url: link.url,
      issuedAt: link.issuedAt,
    }),
    countContact(db, { ...link, agent }),
  ]);
}

/** A link as a landing needs it, with the link's recipient so far (the visitor who landed first). */
export interface LandingTarget {
  linkId: string;
  conversation: string;
  channel: string;
  agent: string | null;
  recipient: { visitorId: string; ts: number; eventId: string } | null;
}

/** The link and its current recipient in one query; `undefined` for a link never recorded. */
export async function loadLandingTarget(
  db: D1Database,
  siteId: string,
  linkId: string,
): Promise<LandingTarget | undefined> {
  const row = await createDb(db)
    .select({
      linkId: links.linkId,
      conversation: links.conversation,
      channel: links.channel,
      agent: links.agent,
      visitorId: linkLandings.visitorId,
      ts: linkLandings.ts,
      eventId: linkLandings.eventId,
    })
    .from(links)
    .leftJoin(
      linkLandings,
      and(
        eq(linkLandings.siteId, links.siteId),
        eq(linkLandings.linkId, links.linkId),
        eq(linkLandings.forwarded, false),
      ),
    )
    .where(and(eq(links.siteId, siteId), eq(links.linkId, linkId)))
    .get();
  if (!row) return undefined;
  const { visitorId, ts, eventId, ...link } = row;
  return {
    ...link,
    recipient: visitorId !== null && ts !== null && eventId !== null ? { visitorId, ts, eventId } : null,
  };
}

/**
 * Keeps the visitor's earliest landing through the link, by time then event id, whatever order
 * landings arrive in: a later one changes nothing, an earlier one replaces the stored one.
 */
const UPSERT_LANDING = `insert into link_landings (site_id, link_id, visitor_id, event_id, ts, conversation, forwarded)
  values (?1, ?2, ?3, ?4, ?5, ?6, 0)
  on conflict (site_id, link_id, visitor_id) do update set event_id = excluded.event_id, ts = excluded.ts
  where (excluded.ts, excluded.event_id) < (link_landings.ts, link_landings.event_id)`;

export const upsertLanding = (
  db: D1Database,
  l: { siteId: string; linkId: string; visitorId: string; eventId: string; ts: number; conversation: string },
): D1PreparedStatement =>
  db.prepare(UPSERT_LANDING).bind(l.siteId, l.linkId, l.visitorId, l.eventId, l.ts, l.conversation);

/** Flags every landing of the link `forwarded` but the first lander's, flipping only those that differ. */
const SETTLE_RECIPIENT = `with recipient as (
    select visitor_id from link_landings where site_id = ?1 and link_id = ?2 order by ts, event_id limit 1)
  update link_landings set forwarded = not forwarded
  where site_id = ?1 and link_id = ?2 and forwarded <> (visitor_id <> (select visitor_id from recipient))`;

/** Only the first lander in time is the link's recipient. */
export const settleRecipient = (db: D1Database, siteId: string, linkId: string): D1PreparedStatement =>
  db.prepare(SETTLE_RECIPIENT).bind(siteId, linkId);
