import type { IngestResponse } from '@lasttouch/shared';
import { LIMITS } from '@lasttouch/shared';
import { batchEnvelope } from '@lasttouch/shared/validate';
import { Hono } from 'hono';
import { bearerToken } from '../auth/bearer.js';
import { databaseOf } from '../db/databases.js';
import type { AppEnv } from '../env.js';
import { readJson } from '../http/body.js';
import { eventsCors, originAllowed } from '../http/cors.js';
import { ApiError, unavailable } from '../http/errors.js';
import { enforceRateLimit } from '../http/rate-limit.js';
import { parseOrThrow } from '../http/validate.js';
import { visitorCookie } from '../http/visitor-cookie.js';
import { customerHash } from '../identity/customer-hash.js';
import { sortBatch } from '../ingest/batch.js';
import { idsOf, splitDuplicates, storedIdsStatement } from '../ingest/dedupe.js';
import type { WorkMessage } from '../jobs/messages.js';
import { authenticate } from '../sites/require-key.js';

/** `sendBeacon` sends `text/plain`, which also spares the SDK a CORS preflight. */
const BODY = { limit: LIMITS.bodyBytes, types: ['application/json', 'text/plain'] } as const;

/**
 * `POST /v1/events` (write key, in the body's `k` or as a bearer token). Validates each event,
 * corrects times by the batch's clock offset, answers the duplicates it can see with one read,
 * and hands the rest to the work queue: `202` only once the queue accepted them (it delivers to
 * the consumer at least once; the consumer dedupes by id). See docs/ingestion.md.
 */
export const events = new Hono<AppEnv>().use(eventsCors()).post('/', async (c) => {
  const batch = parseOrThrow(batchEnvelope, await readJson(c.req.raw, BODY), 'invalid_batch');
  const key = bearerToken(c.req.header('Authorization')) ?? batch.k;
  // The per-visitor limit counts the connecting address, which a sender cannot rotate the way
  // it can rotate visitor ids; it and the failed-key limit hold before any read.
  const { site } = await authenticate(c.req.raw, c.env, key, ['write'], c.env.EVENTS_ADDRESS_LIMITER);
  const now = Date.now();
  const origin = c.req.header('Origin');
  if (!originAllowed(site.settings, origin)) {
    throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} is not in this site's allowed origins`);
  }
  await enforceRateLimit(c.env.EVENTS_SITE_LIMITER, site.id, 'site');
  const { accepted, rejected } = sortBatch(batch.e, batch.st, now);
  // The clear customer id never leaves this request.
  for (const e of accepted) if (e.cu !== undefined) e.cu = await customerHash(site.customerSecret, e.cu);
  let fresh = accepted;
  let duplicates = 0;
  if (accepted.length > 0) {
    try {
      const db = databaseOf(c.env, site.database);
      const stored = await storedIdsStatement(
        db,
        site.id,
        accepted.map((e) => e.id),
        now,
      ).all();
      ({ fresh, duplicates } = splitDuplicates(accepted, idsOf(stored)));
      if (fresh.length > 0) {
        await c.env.WORK_QUEUE.send({ k: 'events', site: site.id, recv: now, events: fresh } satisfies WorkMessage);
      }
    } catch (err) {
      console.error('events not queued', err instanceof Error ? err.message : String(err));
      throw unavailable('Events could not be stored; send the batch again later');
    }
  }
  // On a first-party mount the server sets the visitor cookie too (docs/first-party.md).
  const cookie = visitorCookie(
    c.req.raw,
    accepted.map((e) => e.v),
  );
  if (cookie) c.header('Set-Cookie', cookie);
  return c.json({ accepted: fresh.length, duplicates, rejected } satisfies IngestResponse, 202);
});
