import { and, eq } from 'drizzle-orm';
import { createDb, type Db } from '../db/client.js';
import { attributionQueue } from '../db/schema/index.js';

/*
 * The `attribution_queue` table: markers of visitors and orders whose attribution is to be
 * (re)computed, written in the transaction of what calls for it.
 */

export type Subject = 'visitor' | 'order';

export interface Marker {
  subject: Subject;
  subjectId: string;
  token: string;
}

/** A new token on every enqueue, so a marker re-queued while it was processed is not deleted. */
const UPSERT = `on conflict (site_id, subject, subject_id) do update set token = excluded.token`;

const ENQUEUE = `insert into attribution_queue (site_id, subject, subject_id, token, queued_at)
  values (?1, ?2, ?3, ?4, ?5) ${UPSERT}`;

/** Marks a visitor or an order for (re)attribution, in the caller's transaction. */
export const enqueue = (
  db: D1Database,
  siteId: string,
  subject: Subject,
  id: string,
  now: number,
): D1PreparedStatement => db.prepare(ENQUEUE).bind(siteId, subject, id, crypto.randomUUID(), now);

const ENQUEUE_IF_ORDER_AFTER = `insert into attribution_queue (site_id, subject, subject_id, token, queued_at)
  select ?1, 'visitor', ?2, ?3, ?4 where exists (select 1 from orders where site_id = ?1 and visitor_id = ?2 and ts >= ?5)
  ${UPSERT}`;

/**
 * Marks a visitor only if it has an order at or after `ts`: an interaction can only change the
 * credit of later orders, and most interactions come before any order, so they cost no marker.
 */
export const enqueueIfOrderAfter = (
  db: D1Database,
  siteId: string,
  visitorId: string,
  ts: number,
  now: number,
): D1PreparedStatement => db.prepare(ENQUEUE_IF_ORDER_AFTER).bind(siteId, visitorId, crypto.randomUUID(), now, ts);

const ENQUEUE_VISITORS_WITH_ORDERS = `insert into attribution_queue (site_id, subject, subject_id, token, queued_at)
  select distinct site_id, 'visitor', visitor_id, lower(hex(randomblob(16))), ?1
  from orders where site_id = ?2 and visitor_id is not null
  ${UPSERT}`;

/** Marks every visitor of the site that has an order, in one statement whatever their number. */
export const enqueueVisitorsWithOrders = (db: D1Database, siteId: string, now: number): D1PreparedStatement =>
  db.prepare(ENQUEUE_VISITORS_WITH_ORDERS).bind(now, siteId);

/**
 * Markers are selected only while the stored settings are still those of the site as loaded: a
 * request that loaded the site before a settings change would otherwise recompute the markers
 * that change queued with the old windows and delete them. Settings are saved before their
 * markers are queued, so a selection made before the save sees the old tokens (its deletes then
 * fail and the markers stay) and one made after sees the new settings (and selects nothing).
 */
const CURRENT = 'exists (select 1 from sites where id = ?1 and settings = ?3)';

const WANTED_MARKERS = `select subject, subject_id as subjectId, token from attribution_queue
  where site_id = ?1 and subject || ':' || subject_id in (select value from json_each(?2)) and ${CURRENT}`;

/** The site's pending markers among `wanted` (`subject:id`), if its settings are still `settingsText`. */
export async function wantedMarkers(
  db: D1Database,
  siteId: string,
  wanted: string[],
  settingsText: string,
): Promise<Marker[]> {
  const { results } = await db.prepare(WANTED_MARKERS).bind(siteId, JSON.stringify(wanted), settingsText).all<Marker>();
  return results;
}

const OLDEST_MARKERS = `select subject, subject_id as subjectId, token from attribution_queue
  where site_id = ?1 and ${CURRENT} order by queued_at limit ?2`;

/** Up to `limit` of the site's oldest pending markers, if its settings are still `settingsText`. */
export async function oldestMarkers(
  db: D1Database,
  siteId: string,
  limit: number,
  settingsText: string,
): Promise<Marker[]> {
  const { results } = await db.prepare(OLDEST_MARKERS).bind(siteId, limit, settingsText).all<Marker>();
  return results;
}

/** Deletes a marker unless it was queued again meanwhile (its token changed). */
export async function deleteMarker(db: D1Database, siteId: string, marker: Marker): Promise<void> {
  await createDb(db)
    .delete(attributionQueue)
    .where(
      and(
        eq(attributionQueue.siteId, siteId),
        eq(attributionQueue.subject, marker.subject),
        eq(attributionQueue.subjectId, marker.subjectId),
        eq(attributionQueue.token, marker.token),
      ),
    );
}

/** The oldest `limit` pending markers of any site. */
export const oldestOfAllSites = (orm: Db, limit: number): Promise<(Marker & { siteId: string })[]> =>
  orm
    .select({
      siteId: attributionQueue.siteId,
      subject: attributionQueue.subject,
      subjectId: attributionQueue.subjectId,
      token: attributionQueue.token,
    })
    .from(attributionQueue)
    .orderBy(attributionQueue.queuedAt)
    .limit(limit);

/** Drops every marker of a site. */
export async function deleteSiteMarkers(orm: Db, siteId: string): Promise<void> {
  await orm.delete(attributionQueue).where(eq(attributionQueue.siteId, siteId));
}
