import { type IngestResponse, LIMITS } from '@lasttouch/shared';
import { batchEnvelope } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { assertKeyKind, bearerToken } from '../auth/require-key.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../http/body.js';
import { eventsCors, originAllowed } from '../http/cors.js';
import { ApiError } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { parseOrThrow } from '../http/validate.js';
import { ingestBatch } from '../ingest/pipeline.js';
import { sortBatch } from '../ingest/sort-batch.js';
import type { IngestContext, Pipeline } from '../ingest/types.js';
import { resolveKey } from '../sites/queries.js';

/** `sendBeacon` sends `text/plain`, which also spares the SDK a CORS preflight. */
const BODY = { limit: LIMITS.bodyBytes, types: ['application/json', 'text/plain'] } as const;

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

/**
 * `POST /v1/events` (write key, in the body's `k` or as a bearer token), running `pipeline` on
 * the batch. See docs/ingestion.md.
 */
export const events = (pipeline: Pipeline) =>
  new Hono<AppEnv>().use(eventsCors()).post('/', async (c) => {
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
    const { stored, duplicates } = await ingestBatch(ctx, candidates, pipeline);
    return c.json({ accepted: stored.length, duplicates, rejected } satisfies IngestResponse, 202);
  });
