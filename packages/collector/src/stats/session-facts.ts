/**
 * Which sessions were already shown a campaign or sequence (`fact` = `c:<id>` / `s:<id>`), and
 * in which slot first: `started` counts a session once, in the slot of its first showing.
 */
export interface SessionFact {
  sessionId: string;
  fact: string;
  slot: number;
}

const READ = `select session_id as sessionId, fact, slot from session_facts
  where site_id = ?1 and session_id in (select value from json_each(?2))`;

export const sessionFactsStatement = (db: D1Database, siteId: string, sessions: string[]): D1PreparedStatement =>
  db.prepare(READ).bind(siteId, JSON.stringify(sessions));

const UPSERT = `insert into session_facts (site_id, session_id, fact, slot)
  select ?1, j.value->>0, j.value->>1, j.value->>2 from json_each(?2) j where true
  on conflict do update set slot = min(slot, excluded.slot)`;

export const upsertSessionFactsStatement = (
  db: D1Database,
  siteId: string,
  facts: SessionFact[],
): D1PreparedStatement =>
  db.prepare(UPSERT).bind(siteId, JSON.stringify(facts.map((f) => [f.sessionId, f.fact, f.slot])));
