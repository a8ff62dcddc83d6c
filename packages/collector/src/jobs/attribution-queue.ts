import { reattribute } from '../attribution/reattribute.js';
import type { Db } from '../db/client.js';
import { loadSite } from '../sites/queries.js';
import type { Site } from '../sites/site.js';

export type Subject = 'visitor' | 'order';

const UPSERT = `on conflict (site_id, subject, subject_id) do update set token = excluded.token`;

/** Marks a visitor or an order for (re)attribution, in the caller's transaction. */
export function enqueue(
  db: D1Database,
  siteId: string,
  subject: Subject,
  id: string,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `insert into attribution_queue (site_id, subject, subject_id, token, queued_at) values (?, ?, ?, ?, ?) ${UPSERT}`,
    )
    .bind(siteId, subject, id, crypto.randomUUID(), now);
}

/**
 * Marks a visitor only if it has an order at or after `ts`: an interaction can only change the
 * credit of later orders, and most interactions come before any order, so they cost no marker.
 */
export function enqueueIfOrderAfter(
  db: D1Database,
  siteId: string,
  visitorId: string,
  ts: number,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `insert into attribution_queue (site_id, subject, subject_id, token, queued_at)
       select ?, 'visitor', ?, ?, ? where exists (select 1 from orders where site_id = ? and visitor_id = ? and ts >= ?)
       ${UPSERT}`,
    )
    .bind(siteId, visitorId, crypto.randomUUID(), now, siteId, visitorId, ts);
}

/** Marks every visitor of the site that has an order, in one statement whatever their number. */
export function enqueueVisitorsWithOrders(db: D1Database, siteId: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `insert into attribution_queue (site_id, subject, subject_id, token, queued_at)
       select distinct site_id, 'visitor', visitor_id, lower(hex(randomblob(16))), ?
       from orders where site_id = ? and visitor_id is not null
       ${UPSERT}`,
    )
    .bind(now, siteId);
}

interface Marker {
  subject: Subject;
  subjectId: string;
  token: string;
}

/**
 * How many leftover markers (from failed runs, late interactions, settings changes) one
 * ingestion request also works off. A visitor marker costs about 4 D1 queries and an order
 * marker up to about 10, so with the batch's own work a request stays under the 50 queries a
 * Worker invocation may make on the free plan; the cron trigger drains the rest.
 */
export const LEFTOVERS = 3;

/**
 * Markers are selected only while the stored settings are still those of `site`: a request that
 * loaded the site before a settings change would otherwise recompute the markers that change
 * queued with the old windows and delete them. Settings are saved before their markers are
 * queued, so a selection made before the save sees the old tokens (its deletes then fail and the
 * markers stay) and one made after sees the new settings (and selects nothing).
 */
const CURRENT = 'exists (select 1 from sites where id = ?1 and settings = ?3)';

/**
 * Processes the site's pending markers: those of `wanted` subjects first, then up to
 * `leftovers` of the oldest others (no query at all when it is 0). Returns how many of the
 * selected markers failed (0 = all done).
 */
export async function processQueue(
  db: D1Database,
  site: Site,
  now: number,
  wanted: { subject: Subject; id: string }[] = [],
  leftovers = LEFTOVERS,
): Promise<number> {
  const settingsText = JSON.stringify(site.settings);
  const { results: mine } = wanted.length
    ? await db
        .prepare(
          `select subject, subject_id as subjectId, token from attribution_queue
           where site_id = ?1 and subject || ':' || subject_id in (select value from json_each(?2)) and ${CURRENT}`,
        )
        .bind(site.id, JSON.stringify(wanted.map((w) => `${w.subject}:${w.id}`)), settingsText)
        .all<Marker>()
    : { results: [] as Marker[] };
  const { results: old } =
    leftovers > 0
      ? await db
          .prepare(
            `select subject, subject_id as subjectId, token from attribution_queue where site_id = ?1 and ${CURRENT}
             order by queued_at limit ?2`,
          )
          .bind(site.id, leftovers, settingsText)
          .all<Marker>()
      : { results: [] as Marker[] };
  return processMarkers(db, site, [...mine, ...old], now);
}

/**
 * Recomputes each marker's subject. A marker is deleted only after its recomputation committed
 * and only if nobody re-queued it meanwhile (its token is unchanged), so a failure or a race
 * leaves it for the next run. Returns how many failed.
 */
async function processMarkers(db: D1Database, site: Site, markers: Marker[], now: number): Promise<number> {
  const unique = new Map(markers.map((m) => [`${m.subject}:${m.subjectId}`, m]));
  let failed = 0;
  for (const marker of unique.values()) {
    try {
      await reattribute(
        db,
        site,
        marker.subject === 'order' ? { orderIds: [marker.subjectId] } : { visitors: [marker.subjectId] },
        now,
      );
      await db
        .prepare(`delete from attribution_queue where site_id = ? and subject = ? and subject_id = ? and token = ?`)
        .bind(site.id, marker.subject, marker.subjectId, marker.token)
        .run();
    } catch (err) {
      failed++;
      console.error('attribution failed; the marker stays for a retry', err instanceof Error ? err.message : err);
    }
  }
  return failed;
}

/**
 * Markers one cron run works off across all sites, oldest first: with the selects and site
 * loads that stays under the free plan's 50 queries per invocation.
 */
export const DRAIN_BUDGET = 8;

/**
 * Works off up to `budget` of the oldest pending markers of any site (the cron trigger).
 * Returns how many were selected and how many of those failed.
 */
export async function drainQueue(
  d1: D1Database,
  orm: Db,
  now: number,
  budget = DRAIN_BUDGET,
): Promise<{ selected: number; failed: number }> {
  const { results } = await d1
    .prepare(
      `select site_id as siteId, subject, subject_id as subjectId, token from attribution_queue
       order by queued_at limit ?`,
    )
    .bind(budget)
    .all<Marker & { siteId: string }>();
  const bySite = new Map<string, Marker[]>();
  for (const { siteId, ...marker } of results) bySite.set(siteId, [...(bySite.get(siteId) ?? []), marker]);
  let failed = 0;
  for (const [siteId, markers] of bySite) {
    const site = await loadSite(orm, siteId);
    if (!site) {
      // A deleted site's markers can never be processed; dropping them keeps the queue moving.
      await d1.prepare('delete from attribution_queue where site_id = ?').bind(siteId).run();
      continue;
    }
    failed += await processMarkers(d1, site, markers, now);
  }
  return { selected: results.length, failed };
}
