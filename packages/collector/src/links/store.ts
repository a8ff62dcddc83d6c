import type { ChatGroupBy, LinkRequest } from '@lasttouch/shared';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { linkContactsDaily, links } from '../db/schema/index.js';
import { dayBounds, dayOf, type StatsRange } from '../stats/range.js';
import type { ContactCount } from './chat-stats.js';

export interface IssuedLink extends LinkRequest {
  siteId: string;
  linkId: string;
  url: string;
  issuedAt: number;
}

export type LinkRow = typeof links.$inferSelect;

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
        links: 1,
      })
      .onConflictDoUpdate({
        target: [
          linkContactsDaily.siteId,
          linkContactsDaily.day,
          linkContactsDaily.channel,
          linkContactsDaily.agent,
          linkContactsDaily.conversation,
        ],
        set: { links: sql`${linkContactsDaily.links} + 1` },
      }),
  ]);
}

export async function loadLink(db: Db, siteId: string, linkId: string): Promise<LinkRow | undefined> {
  return db
    .select()
    .from(links)
    .where(and(eq(links.siteId, siteId), eq(links.linkId, linkId)))
    .get();
}

const CONTACT_GROUPS = { channel: 'channel', agent: 'agent', conversation: 'conversation' } as const;

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
  const column = CONTACT_GROUPS[groupBy];
  const { firstDay, endDay } = dayBounds(range);
  const { results } = await db
    .prepare(
      `select ${column} as "group", count(distinct conversation) as contacts from link_contacts_daily
       where site_id = ?1 and day >= ?2 and day < ?3 group by ${column}`,
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
