import { LIMITS } from '@lasttouch/shared';
import { touchRetention } from '../attribution/windows.js';
import { bucketOf } from '../ingest/dedupe.js';
import type { Site } from '../sites/site.js';
import { slotOf } from '../time/slots.js';
import { advanceJob } from './jobs-queries.js';
import type { WorkMessage } from './messages.js';

/** Rows one prune statement deletes at most: each step stays short whatever the backlog. */
const ROWS_PER_STEP = 2000;
const DAY_MS = 86_400_000;
/** A site is pruned once a day. */
export const PRUNE_EVERY_MS = DAY_MS;

/**
 * What each table keeps (docs/scaling.md): event ids while a retry can repeat them (the current
 * and previous 30-day period); touches while the window of an order that is not settled can still
 * reach them (`touchRetention`: older orders keep their credit); session facts while a late event
 * can still arrive; eligibilities 400 days. Orders, their reports,
 * links and aggregates are kept for good.
 */
function pruneStatements(db: D1Database, site: Site, now: number): D1PreparedStatement[] {
  const touchCutoff = now - touchRetention(site.settings);
  const factCutoff = slotOf(now - LIMITS.maxAgeMs - DAY_MS);
  const prune = (table: string, key: string, where: string, ...params: number[]) =>
    db
      .prepare(
        `delete from ${table} where (${key}) in (select ${key} from ${table} where site_id = ?1 and ${where} limit ${ROWS_PER_STEP})`,
      )
      .bind(site.id, ...params);
  return [
    prune('events', 'site_id, bucket, event_id', 'bucket < ?2', bucketOf(now) - 1),
    prune('touches', 'site_id, visitor_id, ts, event_id', 'ts < ?2', touchCutoff),
    prune('session_facts', 'site_id, session_id, fact', 'slot < ?2', factCutoff),
    prune('exposures', 'site_id, visitor_id, group_key', 'first_ts < ?2', now - LIMITS.tokenLifetimeMs),
  ];
}

/**
 * One bounded prune step for a site; another follows while any table still had a full step's
 * worth to delete, then the job waits a day.
 */
export async function pruneStep(
  db: D1Database,
  directory: D1Database,
  site: Site,
  message: Extract<WorkMessage, { k: 'prune' }>,
  now: number,
): Promise<WorkMessage[]> {
  const results = await db.batch(pruneStatements(db, site, now));
  const more = results.some((r) => r.meta.changes >= ROWS_PER_STEP);
  const cursor = more ? String(now) : null;
  const job = { siteId: site.id, kind: 'prune', version: 0 } as const;
  const nextAt = more ? now + 60_000 : now + PRUNE_EVERY_MS;
  if (!(await advanceJob(directory, job, message.cursor, cursor, now, nextAt))) return [];
  return more ? [{ k: 'prune', site: site.id, cursor }] : [];
}
