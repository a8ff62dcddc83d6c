import type { Bindings } from '../env.js';
import { dueJobsStatement, startJobStatement } from './jobs-queries.js';
import type { WorkMessage } from './messages.js';
import { send } from './queue-handler.js';

/** Due jobs one cron run resends: the safety net, not the fast path. */
const RESEND = 20;
/** Sites given their first prune job per run. */
const NEW_PRUNES = 50;

const SITES_WITHOUT_PRUNE = `select id from sites where id not in (select site_id from jobs where kind = 'prune') limit ?1`;

/**
 * The per-minute cron: resends jobs whose message was lost or whose backoff ended (a sweep that
 * made no progress for a minute, a prune due), and gives new sites their daily prune. Messages
 * are the fast path (a settings change is swept as soon as the queue delivers it, in `wrangler
 * dev` too, where the cron does not fire); this is the net.
 */
export async function runCron(_controller: ScheduledController, env: Bindings): Promise<void> {
  const now = Date.now();
  const { results: fresh } = await env.DB.prepare(SITES_WITHOUT_PRUNE).bind(NEW_PRUNES).all<{ id: string }>();
  if (fresh.length > 0) await env.DB.batch(fresh.map((s) => startJobStatement(env.DB, s.id, 'prune', 0, null, now)));
  const { results: due } = await dueJobsStatement(env.DB, now, RESEND).all<{
    siteId: string;
    kind: 'sweep' | 'prune';
    version: number;
    cursor: string | null;
  }>();
  const messages = due.map(
    (j): WorkMessage =>
      j.kind === 'sweep'
        ? { k: 'sweep', site: j.siteId, version: j.version, cursor: j.cursor }
        : { k: 'prune', site: j.siteId, cursor: j.cursor },
  );
  if (messages.length > 0) await send(env, messages);
}
