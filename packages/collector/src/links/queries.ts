import type { LinkRequest } from '@lasttouch/shared';
import type { Db } from '../db/client.js';
import { links } from '../db/schema/index.js';
import { countContact } from '../stats/link-aggregates.js';

export interface IssuedLink extends LinkRequest {
  siteId: string;
  linkId: string;
  url: string;
  issuedAt: number;
}

/** Records an issued link and counts its conversation as a contact of that day, in one transaction. */
export async function recordLink(db: Db, link: IssuedLink): Promise<void> {
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
  const row = await db
    .prepare(
      `select l.link_id as linkId, l.conversation, l.channel, l.agent,
         r.visitor_id as visitorId, r.ts, r.event_id as eventId
       from links l left join link_landings r on r.site_id = l.site_id and r.link_id = l.link_id and r.forwarded = 0
       where l.site_id = ?1 and l.link_id = ?2`,
    )
    .bind(siteId, linkId)
    .first<
      Omit<LandingTarget, 'recipient'> & { visitorId: string | null; ts: number | null; eventId: string | null }
    >();
  if (!row) return undefined;
  const { visitorId, ts, eventId, ...link } = row;
  return {
    ...link,
    recipient: visitorId !== null && ts !== null && eventId !== null ? { visitorId, ts, eventId } : null,
  };
}
