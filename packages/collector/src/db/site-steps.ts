/**
 * Optimistic concurrency for a site's consumer steps (`site_steps`): read the counter with the
 * step's data, then write `claimStatements` first in the step's write batch. If another step of
 * the site committed in between, the claim changes nothing and the guard's insert aborts the
 * whole batch: nothing of this step is applied, and the queue retries it.
 */
const READ = `select coalesce((select seq from site_steps where site_id = ?1), 0) as seq`;

export const stepSeqStatement = (db: D1Database, siteId: string): D1PreparedStatement => db.prepare(READ).bind(siteId);

export const stepSeqOf = (result: D1Result<Record<string, unknown>> | undefined): number =>
  Number(result?.results[0]?.seq ?? 0);

const CLAIM = `insert into site_steps (site_id, seq) values (?1, ?2 + 1)
  on conflict (site_id) do update set seq = seq + 1 where seq = ?2`;
// `changes()` is the previous statement's: 0 when the claim above found the counter moved.
const GUARD = `insert into step_guard (must_not_be_null) select null where changes() = 0`;

export const claimStatements = (db: D1Database, siteId: string, seq: number): D1PreparedStatement[] => [
  db.prepare(CLAIM).bind(siteId, seq),
  db.prepare(GUARD),
];
