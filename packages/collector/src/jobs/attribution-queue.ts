import { reattribute } from '../attribution/reattribute.js';
import type { Db } from '../db/client.js';
import { loadSite } from '../sites/queries.js';
import type { Site } from '../sites/site.js';
import {
  deleteMarker,
  deleteSiteMarkers,
  type Marker,
  oldestMarkers,
  oldestOfAllSites,
  type Subject,
  wantedMarkers,
} from './queries.js';

/**
 * How many leftover markers (from failed runs, late interactions, settings changes) one
 * ingestion request also works off. A visitor marker costs about 4 D1 queries and an order
 * marker up to about 10, so with the batch's own work a request stays under the 50 queries a
 * Worker invocation may make on the free plan; the cron trigger drains the rest.
 */
export const LEFTOVERS = 3;

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
  const mine = wanted.length
    ? await wantedMarkers(
        db,
        site.id,
        wanted.map((w) => `${w.subject}:${w.id}`),
        settingsText,
      )
    : [];
  const old = leftovers > 0 ? await oldestMarkers(db, site.id, leftovers, settingsText) : [];
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
      await deleteMarker(db, site.id, marker);
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
  const results = await oldestOfAllSites(orm, budget);
  const bySite = new Map<string, Marker[]>();
  for (const { siteId, ...marker } of results) bySite.set(siteId, [...(bySite.get(siteId) ?? []), marker]);
  let failed = 0;
  for (const [siteId, markers] of bySite) {
    const site = await loadSite(orm, siteId);
    if (!site) {
      // A deleted site's markers can never be processed; dropping them keeps the queue moving.
      await deleteSiteMarkers(orm, siteId);
      continue;
    }
    failed += await processMarkers(d1, site, markers, now);
  }
  return { selected: results.length, failed };
}
