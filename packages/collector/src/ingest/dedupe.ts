import type { IngestEvent } from './event.js';

/**
 * Dedupe keeps event ids by the 30-day period they were received in: a retry can only come
 * while its event is still acceptable (`LIMITS.maxAgeMs`, 30 days), so the current and previous
 * period hold every id a retry can repeat, and older periods are dropped whole.
 */
export const BUCKET_MS = 30 * 86_400_000;
export const bucketOf = (receivedAt: number): number => Math.floor(receivedAt / BUCKET_MS);

const STORED_IDS = `select event_id as id from events
  where site_id = ?1 and bucket in (?2, ?2 - 1) and event_id in (select value from json_each(?3))`;

/** The statement reading which of `ids` are already stored (one statement for a whole batch). */
export const storedIdsStatement = (db: D1Database, siteId: string, ids: string[], now: number): D1PreparedStatement =>
  db.prepare(STORED_IDS).bind(siteId, bucketOf(now), JSON.stringify(ids));

export const idsOf = (result: D1Result<Record<string, unknown>> | undefined): Set<string> =>
  new Set((result?.results ?? []).map((r) => r.id as string));

/**
 * Splits events into new ones and duplicates: an id seen earlier in the list or already stored
 * is a duplicate, acknowledged and never counted again.
 */
export function splitDuplicates<E extends Pick<IngestEvent, 'id'>>(
  events: readonly E[],
  stored: ReadonlySet<string>,
): { fresh: E[]; duplicates: number } {
  const seen = new Set(stored);
  const fresh: E[] = [];
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    fresh.push(event);
  }
  return { fresh, duplicates: events.length - fresh.length };
}

const INSERT_IDS = `insert into events (site_id, bucket, event_id) select ?1, ?2, value from json_each(?3)`;

/**
 * Stores new event ids. A plain insert: if another writer stored one of them meanwhile, the
 * whole step fails and is retried, and the retry sees it as a duplicate.
 */
export const insertIdsStatement = (db: D1Database, siteId: string, ids: string[], now: number): D1PreparedStatement =>
  db.prepare(INSERT_IDS).bind(siteId, bucketOf(now), JSON.stringify(ids));
