import { CHAT_GROUPS, type ChatGroupBy } from '@lasttouch/shared';
import type { Db } from '../db/client.js';
import { linkContactsDaily } from '../db/schema/index.js';
import { perColumn } from '../db/sql.js';
import { dayOf } from '../time/days.js';
import { rowsInRange, type StatsRange } from './query.js';

/*
 * The tagged-link aggregates (`link_contacts_daily`, `invalid_landings_daily`): written when a
 * link is issued or a landing fails its check, read by the chat stats.
 */

/**
 * Counts a conversation as a contact of the day its link was issued (once per day, however many
 * links it gets): a conversation is a contact as soon as a link is sent, before anyone clicks.
 */
export const countContact = (
  db: Db,
  link: { siteId: string; channel: string; agent: string | null; conversation: string; issuedAt: number },
) =>
  db
    .insert(linkContactsDaily)
    .values({
      siteId: link.siteId,
      day: dayOf(link.issuedAt),
      channel: link.channel,
      agent: link.agent ?? '',
      conversation: link.conversation,
    })
    .onConflictDoNothing();

const COUNT_INVALID_LANDING = `insert into invalid_landings_daily (site_id, day, reason, landings) values (?1, ?2, ?3, 1)
  on conflict (site_id, day, reason) do update set landings = landings + 1`;

/** Counts a landing whose token failed its check, per day and reason. */
export const countInvalidLanding = (db: D1Database, siteId: string, day: number, reason: string): D1PreparedStatement =>
  db.prepare(COUNT_INVALID_LANDING).bind(siteId, day, reason);

/** Distinct conversations with a link issued in the range, per group. */
export interface ContactCount {
  group: string;
  contacts: number;
}

const CONTACT_COUNTS = perColumn(
  CHAT_GROUPS,
  (column) => `select ${column} as "group", count(distinct conversation) as contacts from link_contacts_daily
    where site_id = ?1 and day >= ?2 and day < ?3 group by ${column}`,
);

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
  return rowsInRange<ContactCount>(db, CONTACT_COUNTS[groupBy], siteId, range);
}

const INVALID_LANDINGS =
  'select coalesce(sum(landings), 0) as n from invalid_landings_daily where site_id = ?1 and day >= ?2 and day < ?3';

/** Landings with an invalid token in the range's days. */
export async function invalidLandingCount(db: D1Database, siteId: string, range: StatsRange): Promise<number> {
  const [row] = await rowsInRange<{ n: number }>(db, INVALID_LANDINGS, siteId, range);
  return row?.n ?? 0;
}
