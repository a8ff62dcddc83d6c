import type { Site } from '../sites/site.js';
import { reattribute } from './apply.js';

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

interface Marker {
  subject: Subject;
  subjectId: string;
  token: string;
}

/** How many leftover markers (from failed or interrupted runs) one request also works off. */
const LEFTOVERS = 20;

/**
 * Processes the site's pending markers: those of `wanted` subjects first, then a few of the
 * oldest leftovers. A marker is deleted only after its recomputation committed and only if
 * nobody re-queued it meanwhile (its token is unchanged), so a failure or a race leaves it for
 * the next run. Returns how many markers remain unprocessed among those selected (0 = all done).
 */
export async function processQueue(
  db: D1Database,
  site: Site,
  now: number,
  wanted: { subject: Subject; id: string }[] = [],
  leftovers = LEFTOVERS,
): Promise<number> {
  const { results: mine } = wanted.length
    ? await db
        .prepare(
          `select subject, subject_id as subjectId, token from attribution_queue
           where site_id = ? and subject || ':' || subject_id in (select value from json_each(?))`,
        )
        .bind(site.id, JSON.stringify(wanted.map((w) => `${w.subject}:${w.id}`)))
        .all<Marker>()
    : { results: [] as Marker[] };
  const { results: old } = await db
    .prepare(
      `select subject, subject_id as subjectId, token from attribution_queue where site_id = ? order by queued_at limit ?`,
    )
    .bind(site.id, leftovers)
    .all<Marker>();
  const markers = new Map([...mine, ...old].map((m) => [`${m.subject}:${m.subjectId}`, m]));
  let failed = 0;
  for (const marker of markers.values()) {
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
