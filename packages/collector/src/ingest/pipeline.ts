import { unavailable } from '../http/errors.js';
import { insertEvent, storedIds } from './queries.js';
import type { AfterCommit, Candidate, IngestContext, Pipeline, StoredEvent } from './types.js';

/** A unique-constraint race can only repeat while concurrent retries of the same batch win it. */
const MAX_ATTEMPTS = 3;

const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && /UNIQUE constraint failed/i.test(err.message);

/**
 * Splits candidates into new events and duplicates: an id seen earlier in the batch or already
 * stored is a duplicate (acknowledged, not stored again).
 */
function splitDuplicates(candidates: Candidate[], stored: Set<string>): { fresh: Candidate[]; duplicates: number } {
  const seen = new Set(stored);
  const fresh: Candidate[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.event.eventId)) continue;
    seen.add(candidate.event.eventId);
    fresh.push(candidate);
  }
  return { fresh, duplicates: candidates.length - fresh.length };
}

async function attempt(
  ctx: IngestContext,
  candidates: Candidate[],
  derivers: Pipeline['derivers'],
): Promise<{ stored: StoredEvent[]; duplicates: number }> {
  const known = await storedIds(
    ctx.db,
    ctx.site.id,
    candidates.map((c) => c.event.eventId),
  );
  const { fresh, duplicates } = splitDuplicates(candidates, known);
  if (fresh.length === 0) return { stored: [], duplicates };
  const statements: D1PreparedStatement[] = [];
  for (const { event, wire } of fresh) {
    statements.push(insertEvent(ctx.db, event));
    for (const derive of derivers[wire.t]) statements.push(...(await derive(ctx, event, wire)));
  }
  await ctx.db.batch(statements);
  return { stored: fresh.map((c) => c.event), duplicates };
}

/**
 * Stage 1: stores the new events and everything their derivers produce in one D1 batch (one
 * transaction), so an event is never half-stored. Plain INSERTs make a concurrent retry of the
 * same batch fail on the primary key instead of being silently skipped; duplicates are then
 * recomputed and the rest is tried again. Any other failure is a 503 with `Retry-After`: the
 * client resends, and dedupe by id makes that harmless.
 */
async function storeEvents(
  ctx: IngestContext,
  candidates: Candidate[],
  derivers: Pipeline['derivers'],
): Promise<{ stored: StoredEvent[]; duplicates: number }> {
  if (candidates.length === 0) return { stored: [], duplicates: 0 };
  for (let n = 1; ; n++) {
    try {
      return await attempt(ctx, candidates, derivers);
    } catch (err) {
      if (isUniqueViolation(err) && n < MAX_ATTEMPTS) continue;
      console.error('event write failed', err instanceof Error ? err.message : String(err));
      throw unavailable('unavailable', 'Events could not be stored; send the batch again later');
    }
  }
}

/** Stage 2 is re-runnable by design, so its failure is logged and never fails the request. */
async function runAfterCommit(ctx: IngestContext, batch: StoredEvent[], hooks: AfterCommit[]): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook(ctx, batch);
    } catch (err) {
      console.error('after-commit hook failed', err instanceof Error ? err.message : String(err));
    }
  }
}

/**
 * Ingests the valid events of a batch: stage 1 (`storeEvents`), then stage 2 over every valid
 * event, duplicates included. Returns what stage 1 stored and how many were duplicates.
 */
export async function ingestBatch(
  ctx: IngestContext,
  candidates: Candidate[],
  pipeline: Pipeline,
): Promise<{ stored: StoredEvent[]; duplicates: number }> {
  const result = await storeEvents(ctx, candidates, pipeline.derivers);
  if (candidates.length > 0)
    await runAfterCommit(
      ctx,
      candidates.map((candidate) => candidate.event),
      pipeline.afterCommit,
    );
  return result;
}
