import type { ChatGroupBy, LinkRequest } from '@lasttouch/shared';
import type { Db } from '../db/client.js';
import { linkContactsDaily, links } from '../db/schema/index.js';
import type { ContactCount } from '../stats/chat-stats.js';
import { dayBounds, type StatsRange } from '../stats/range.js';
import { dayOf } from '../time/days.js';

export interface IssuedLink extends LinkRequest {
  siteId: string;
  linkId: string;
  url: string;
  issuedAt: number;
}

/**
 * Records an issued link and counts its conversation as a contact of that day, in one
 * transaction: a conversation is a contact as soon as a link is sent, before anyone clicks.
 */
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
    db
      .insert(linkContactsDaily)
      .values({
        siteId: link.siteId,
        day: dayOf(link.issuedAt),
        channel: link.channel,
        agent: agent ?? '',
        conversation: link.conversation,
      })
      .onConflictDoNothing(),
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

/**
 * Distinct conversations with a link issued in the range's days, per channel, agent ('' for
 * none) or conversation. Reads the daily aggregate, never `links`.
 */
export async function contactCounts(
  db: D1Database,
  siteId: string,
  range: StatsRange,
  groupBy: ChatGroupBy,
): Promise<ContactCount[]> {
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      // `groupBy` is one of CHAT_GROUPS, each the name of a column.
      `select ${groupBy} as "group", count(distinct conversation) as contacts from link_contacts_daily
       where site_id = ?1 and day >= ?2 and day < ?3 group by ${groupBy}`,
    )
    .bind(siteId, firstDay, endDay)
    .all<ContactCount>();
  return results;
}

/** Landings with an invalid token in the range's days. */
export async function invalidLandingCount(db: D1Database, siteId: string, range: StatsRange): Promise<number> {
  const { firstDay, endDay } = dayBounds(range);
  const row = await db
    .prepare(
      'select coalesce(sum(landings), 0) as n from invalid_landings_daily where site_id = ?1 and day >= ?2 and day < ?3',
    )
    .bind(siteId, firstDay, endDay)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
