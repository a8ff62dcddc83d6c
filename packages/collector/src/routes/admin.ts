import { Hono } from 'hono';
import { requireAdmin } from '../auth/admin.js';
import type { AppEnv } from '../env.js';
import { unavailable } from '../http/errors.js';
import { replayDeadLetters } from '../jobs/dead-letters.js';

/**
 * Messages per send: an `events` message holds up to a 64 KB batch, and one `sendBatch` carries
 * at most 256 KB, so three at a time always fit.
 */
const PER_SEND = 3;
/** Sends per request: with their D1 calls, well inside one invocation's 50 subrequests. */
const SENDS = 15;

/**
 * `POST /v1/admin/dead-letters/replay` (admin token): sends parked work messages back to the work
 * queue, oldest first, up to 45 per request, and answers `{replayed, remaining}`;
 * `pnpm --filter @lasttouch/collector replay` calls it until none remain (docs/reliability.md).
 * A replayed message is worked like any other: a step already applied finds its events stored
 * and its orders credited, so nothing counts twice.
 */
export const admin = new Hono<AppEnv>().use(requireAdmin()).post('/dead-letters/replay', async (c) => {
  let replayed = 0;
  try {
    for (let i = 0; i < SENDS; i++) {
      const sent = await replayDeadLetters(c.env, PER_SEND);
      replayed += sent;
      if (sent < PER_SEND) break;
    }
    const left = await c.env.DB.prepare('select count(*) as n from dead_letters').first<{ n: number }>();
    return c.json({ replayed, remaining: left?.n ?? 0 });
  } catch (err) {
    console.error('dead letters not replayed', err instanceof Error ? err.message : String(err));
    throw unavailable(`Replayed ${replayed} messages, then the queue or D1 refused; run the replay again`);
  }
});
