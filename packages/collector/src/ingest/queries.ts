import { getTableColumns } from 'drizzle-orm';
import { events } from '../db/schema/index.js';
import type { StoredEvent } from './types.js';

/** Ids already stored for the site among a JSON array of ids: one statement whatever the batch size. */
const STORED_IDS = 'select event_id from events where site_id = ?1 and event_id in (select value from json_each(?2))';

/** Ids already stored for the site, among `ids`. */
export async function storedIds(db: D1Database, siteId: string, ids: string[]): Promise<Set<string>> {
  const { results } = await db.prepare(STORED_IDS).bind(siteId, JSON.stringify(ids)).all<{ event_id: string }>();
  return new Set(results.map((row) => row.event_id));
}

const EVENT_COLUMNS = Object.entries(getTableColumns(events));

/**
 * Inserts one event with every column of the schema (absent fields as NULL). A plain INSERT: a
 * concurrent retry of the same batch fails on the primary key instead of being skipped.
 */
const INSERT_EVENT = `insert into events (${EVENT_COLUMNS.map(([, column]) => column.name).join(', ')})
  values (${EVENT_COLUMNS.map((_, i) => `?${i + 1}`).join(', ')})`;

/** The statement storing `event`, to run in the batch of its derivers' statements. */
export const insertEvent = (db: D1Database, event: StoredEvent): D1PreparedStatement =>
  db.prepare(INSERT_EVENT).bind(...EVENT_COLUMNS.map(([key]) => (event as Record<string, unknown>)[key] ?? null));
