/** A background job's row (`jobs`, in the directory database). */
export interface JobRow {
  siteId: string;
  kind: 'sweep' | 'prune';
  version: number;
  cursor: string | null;
  attempts: number;
  nextAt: number;
  updatedAt: number;
  parkedReason: string | null;
}

const UPSERT = `insert into jobs (site_id, kind, version, cursor, attempts, next_at, updated_at)
  values (?1, ?2, coalesce(?3, (select settings_version from sites where id = ?1)), ?4, 0, ?5, ?5)
  on conflict (site_id, kind) do update set version = excluded.version, cursor = excluded.cursor, attempts = 0,
    next_at = excluded.next_at, updated_at = excluded.updated_at, parked_reason = null`;

/** Starts (or restarts) a job at `cursor`; a null `version` takes the site's current settings version. */
export const startJobStatement = (
  directory: D1Database,
  siteId: string,
  kind: JobRow['kind'],
  version: number | null,
  cursor: string | null,
  now: number,
): D1PreparedStatement => directory.prepare(UPSERT).bind(siteId, kind, version, cursor, now);

const ADVANCE = `update jobs set cursor = ?5, attempts = 0, updated_at = ?6, next_at = ?7
  where site_id = ?1 and kind = ?2 and version = ?3 and cursor is ?4`;

/**
 * Records a job's progress from `from` to `to`. Changes nothing (answer `false`) when the job is
 * not where this step started: a newer version started, or a resent message made a second chain
 * that already moved on; that chain then stops.
 */
export async function advanceJob(
  directory: D1Database,
  job: { siteId: string; kind: JobRow['kind']; version: number },
  from: string | null,
  to: string | null,
  now: number,
  nextAt: number,
): Promise<boolean> {
  const result = await directory.prepare(ADVANCE).bind(job.siteId, job.kind, job.version, from, to, now, nextAt).run();
  return result.meta.changes > 0;
}

const FINISH = `delete from jobs where site_id = ?1 and kind = ?2 and version = ?3 and cursor is ?4`;

/** Ends a job that is where this step started; `false` when it was not (see `advanceJob`). */
export async function finishJob(
  directory: D1Database,
  job: { siteId: string; kind: JobRow['kind']; version: number },
  from: string | null,
): Promise<boolean> {
  const result = await directory.prepare(FINISH).bind(job.siteId, job.kind, job.version, from).run();
  return result.meta.changes > 0;
}

const STALE = `select site_id as siteId, kind, version, cursor, attempts, next_at as nextAt, updated_at as updatedAt,
    parked_reason as parkedReason
  from jobs where parked_reason is null and next_at <= ?1 order by next_at limit ?2`;

/** Jobs due again (a lost message, a backoff ended), oldest first. */
export const dueJobsStatement = (directory: D1Database, now: number, limit: number): D1PreparedStatement =>
  directory.prepare(STALE).bind(now, limit);

/** Parks a job after too many failures: it waits with its reason, visible to an operator. */
export const FAILURES_BEFORE_PARKING = 8;

const FAILED = `update jobs set attempts = attempts + 1, next_at = ?3 + min(300000, 1000 * (1 << min(attempts + 1, 9))),
    parked_reason = case when attempts + 1 >= ${FAILURES_BEFORE_PARKING} then ?4 else null end
  where site_id = ?1 and kind = ?2
  returning attempts, next_at as nextAt, parked_reason as parkedReason`;

/**
 * Records a failed step of a job: backs it off (2ⁿ seconds, at most 5 minutes) and parks it with
 * `reason` at the `FAILURES_BEFORE_PARKING`th failure. Answers the job's row as it now stands
 * (`attempts`, `nextAt`, `parkedReason`), none if the job is gone.
 */

export const jobFailedStatement = (
  directory: D1Database,
  siteId: string,
  kind: JobRow['kind'],
  now: number,
  reason: string,
): D1PreparedStatement => directory.prepare(FAILED).bind(siteId, kind, now, reason.slice(0, 500));
