import { type IngestResponse, LIMITS, type RejectedEvent } from '@lasttouch/shared';
import { batchEnvelope, validateEvent } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { assertKeyKind, bearerToken } from '../auth/require-key.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../http/body.js';
import { eventsCors, originAllowed } from '../http/cors.js';
import { ApiError } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { parseOrThrow } from '../http/validate.js';
import { afterCommit } from '../ingest/derivers.js';
import { normalizeEvent } from '../ingest/normalize.js';
import { type Candidate, storeEvents } from '../ingest/pipeline.js';
import type { IngestContext, StoredEvent } from '../ingest/types.js';
import { resolveKey } from '../sites/queries.js';

/** `sendBeacon` sends `text/plain`, which also spares the SDK a CORS preflight. */
const BODY = { limit: LIMITS.bodyBytes, types: ['application/json', 'text/plain'] } as const;

/** Validates and normalises each event on its own: one bad event never costs the others. */
export function sortBatch(
  input: unknown[],
  siteId: string,
  now: number,
): { candidates: Candidate[]; rejected: RejectedEvent[] } {
  const candidates: Candidate[] = [];
  const rejected: RejectedEvent[] = [];
  for (const [index, raw] of input.entries()) {
    const valid = validateEvent(raw);
    if (!valid.ok) {
      rejected.push({ index, code: valid.code, message: valid.message });
      continue;
    }
    const normalized = normalizeEvent(valid.value, siteId, now);
    if (!normalized.ok) {
      rejected.push({ index, code: normalized.code, message: normalized.message });
      continue;
    }
    candidates.push({ event: normalized.event, wire: valid.value });
  }
  return { candidates, rejected };
}

/**
 * The visitors a batch speaks for, as the per-visitor limit counts them: an SDK batch holds one,
 * so the first few are enough and a crafted batch cannot make the check expensive.
 */
function batchVisitors(events: unknown[]): string[] {
  const visitors = new Set<string>();
  for (const e of events) {
    const v = typeof e === 'object' && e !== null ? (e as { v?: unknown }).v : undefined;
    if (typeof v === 'string') visitors.add(v.slice(0, LIMITS.idLength));
    if (visitors.size === MAX_VISITORS_COUNTED) break;
  }
  return [...visitors];
}

const MAX_VISITORS_COUNTED = 5;

/** Stage 2 is re-runnable by design, so its failure is logged and never fails the request. */
async function runAfterCommit(ctx: IngestContext, batch: StoredEvent[]): Promise<void> {
  for (const hook of afterCommit) {
    try {
      await hook(ctx, batch);
    } catch (err) {
      console.error('after-commit hook failed', err instanceof Error ? err.message : String(err));
    }
  }
}

/** `POST /v1/events` (write key, in the body's `k` or as a bearer token). See docs/ingestion.md. */
export const events = new Hono<AppEnv>().use(eventsCors()).post('/', async (c) => {
  const batch = parseOrThrow(batchEnvelope, await readJson(c.req.raw, BODY), 'invalid_batch');
  const key = bearerToken(c.req.header('Authorization')) ?? batch.k;
  const found = key ? await resolveKey(c.env.DB, key) : undefined;
  assertKeyKind(found, ['write']);
  const site = found!.site;
  const origin = c.req.header('Origin');
  if (!originAllowed(site.settings, origin)) {
    throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not in this site's allowed origins`);
  }

  await enforceRateLimit(c.env.EVENTS_SITE_LIMITER, site.id, 'site');
  for (const visitor of batchVisitors(batch.e)) {
    await enforceRateLimit(c.env.EVENTS_VISITOR_LIMITER, `${site.id}:${visitor}`, 'visitor');
  }

  const ctx: IngestContext = { db: c.env.DB, site, now: Date.now() };
  const { candidates, rejected } = sortBatch(batch.e, site.id, ctx.now);
  const { stored, duplicates } = await storeEvents(ctx, candidates);
  if (candidates.length > 0)
    await runAfterCommit(
      ctx,
      candidates.map((candidate) => candidate.event),
    );
  return c.json({ accepted: stored.length, duplicates, rejected } satisfies IngestResponse, 202);
});
