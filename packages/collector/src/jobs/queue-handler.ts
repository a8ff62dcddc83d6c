import type { PersonRequest } from '../attribution/persons.js';
import { D1Budget, metered } from '../db/budget.js';
import { databaseOf } from '../db/databases.js';
import type { Bindings } from '../env.js';
import type { IngestEvent } from '../ingest/event.js';
import { loadSites } from '../sites/queries.js';
import type { Site } from '../sites/site.js';
import { attributionStep } from './attribution-step.js';
import { ingestStep } from './ingest-step.js';
import { jobFailedStatement } from './jobs-queries.js';
import type { WorkKind, WorkMessage } from './messages.js';
import { pruneStep } from './prune-step.js';
import { noSeeds } from './seeds.js';
import { sweepStep } from './sweep-step.js';

/** D1 calls one site step can make: ingest (read, write), attribution (links, persons, sketches, write), jobs. */
const STEP_CALLS = 8;
/** Events one ingest step takes; more of a site's messages wait for the next step. */
const EVENTS_PER_STEP = 2500;
/** Messages per `sendBatch` (the platform's limit). */
const SEND_BATCH = 100;

/** Retry delay of a failed message: 2ⁿ seconds, at most 5 minutes. */
export const retryDelay = (attempts: number): number => Math.min(300, 2 ** Math.min(attempts, 9));

/**
 * The work queue's consumer. Messages are grouped by site and each site's are worked in one or
 * more bounded steps, in the order their sites first appear; a site whose step fails has its
 * messages retried with backoff (after `max_retries` they reach the dead-letter queue), the
 * others are acknowledged. When the invocation's D1 budget runs low, the remaining messages
 * are sent again as new messages (and acknowledged): what does not fit is queued, behind every
 * other site's work.
 *
 * A step's follow-ups (a sweep's next page, persons left over, more to prune) use what budget
 * the batch's own messages left, one step per site in turn, before the rest is queued: each
 * queued continuation would otherwise wait for the next batch (up to `max_batch_timeout`), and a
 * sweep of 10,000 orders is a hundred of them.
 */
export async function handleWorkBatch(batch: MessageBatch<WorkMessage>, env: Bindings): Promise<void> {
  consumerActivity.running++;
  try {
    await workBatch(batch, env);
  } finally {
    consumerActivity.running--;
  }
}

/**
 * How many consumer invocations are running in this isolate: a process-local gauge (logs,
 * tests waiting for the queue to go idle); it means nothing across isolates.
 */
export const consumerActivity = { running: 0 };

/** Follow-ups of a step that succeeded, and the messages that led to them (acknowledged once these are safe). */
interface Carried {
  site: Site;
  bodies: WorkMessage[];
  parents: Message<WorkMessage>[];
  /** A follow-up failed when worked here: the rest goes to the queue, which retries it. */
  stuck: boolean;
}

async function workBatch(batch: MessageBatch<WorkMessage>, env: Bindings): Promise<void> {
  const budget = new D1Budget();
  const now = Date.now();
  const bySite = new Map<string, Message<WorkMessage>[]>();
  for (const m of batch.messages) {
    if (!isWorkMessage(m.body)) {
      // Nothing this consumer can do (another version's message?): it alone is retried, then
      // kept in dead_letters for `replay`; the rest of the batch goes on.
      console.error('unreadable work message; retrying it alone', m.id);
      m.retry({ delaySeconds: retryDelay(m.attempts) });
      continue;
    }
    bySite.set(m.body.site, [...(bySite.get(m.body.site) ?? []), m]);
  }
  const sites = await loadSites(metered(env.DB, budget), [...bySite.keys()]);
  const deferred: Message<WorkMessage>[] = [];
  const carried: Carried[] = [];
  for (const [siteId, messages] of bySite) {
    const site = sites.get(siteId);
    if (!site) {
      console.warn('work for an unknown site dropped', siteId, messages.length);
      for (const m of messages) m.ack();
      continue;
    }
    let pending = messages;
    while (pending.length > 0) {
      if (budget.remaining < STEP_CALLS) {
        deferred.push(...pending);
        break;
      }
      const step = takeStep(pending);
      pending = pending.slice(step.length);
      try {
        const follow = await runStep(
          env,
          budget,
          site,
          step.map((m) => m.body),
          now,
        );
        if (follow.length === 0) for (const m of step) m.ack();
        else carried.push({ site, bodies: follow, parents: step, stuck: false });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const first = step[0]!.body;
        if (first.k === 'sweep' || first.k === 'prune') {
          await jobFailed(env, budget, step[0]!, first, reason, now);
        } else {
          console.error('work step failed; retrying', siteId, reason);
          for (const m of step) m.retry({ delaySeconds: retryDelay(m.attempts) });
        }
      }
    }
  }
  await continueHere(env, budget, carried, now);
  for (const c of carried) {
    // Follow-ups are sent before their step is acknowledged: if sending fails, the step runs
    // again (it is idempotent) and derives them again.
    try {
      await send(env, c.bodies);
      for (const m of c.parents) m.ack();
    } catch (err) {
      console.error(
        'queueing follow-ups failed; retrying',
        c.site.id,
        err instanceof Error ? err.message : String(err),
      );
      for (const m of c.parents) m.retry({ delaySeconds: retryDelay(m.attempts) });
    }
  }
  if (deferred.length === 0) return;
  try {
    await send(
      env,
      deferred.map((m) => m.body),
    );
    for (const m of deferred) m.ack();
  } catch (err) {
    console.error('re-queueing work failed', err instanceof Error ? err.message : String(err));
    for (const m of deferred) m.retry({ delaySeconds: retryDelay(m.attempts) });
  }
}

const KINDS: ReadonlySet<WorkKind> = new Set(['events', 'order', 'persons', 'sweep', 'prune']);

/** Whether a message body is one this consumer knows how to work. */
const isWorkMessage = (body: unknown): body is WorkMessage =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as WorkMessage).site === 'string' &&
  KINDS.has((body as WorkMessage).k);

/**
 * A failed step of a background job (sweep, prune): its `jobs` row backs it off and, after
 * `FAILURES_BEFORE_PARKING` failures, parks it with the reason, logged, so that it stops taking
 * turns; an operator sees it in `jobs.parked_reason` (docs/reliability.md). Otherwise the same
 * message comes back after the backoff (the cron resends due jobs too: a net). The message
 * itself is acknowledged either way: the job's row, not the queue's retries, counts its failures.
 */
async function jobFailed(
  env: Bindings,
  budget: D1Budget,
  message: Message<WorkMessage>,
  body: Extract<WorkMessage, { k: 'sweep' | 'prune' }>,
  reason: string,
  now: number,
): Promise<void> {
  try {
    const directory = metered(env.DB, budget);
    const row = await jobFailedStatement(directory, body.site, body.k, now, reason).first<{
      attempts: number;
      nextAt: number;
      parkedReason: string | null;
    }>();
    if (row?.parkedReason) {
      console.error(`job parked: ${body.k} of site ${body.site} after ${row.attempts} failures: ${reason}`);
    } else if (row) {
      console.warn(
        `job step failed (${row.attempts}); again in ${(row.nextAt - now) / 1000} s`,
        body.k,
        body.site,
        reason,
      );
      await env.WORK_QUEUE.send(body, { delaySeconds: Math.ceil((row.nextAt - now) / 1000) });
    } else {
      console.warn('step of a finished job failed; dropped', body.k, body.site, reason);
    }
    message.ack();
  } catch (err) {
    console.error('job failure not recorded; retrying', body.site, err instanceof Error ? err.message : String(err));
    message.retry({ delaySeconds: retryDelay(message.attempts) });
  }
}

/**
 * Works carried follow-ups here while the budget lasts, one step per site in turn; each step's
 * own follow-ups join its site's. A follow-up that fails stays carried (the queue retries it).
 */
async function continueHere(env: Bindings, budget: D1Budget, carried: Carried[], now: number): Promise<void> {
  for (let progress = true; progress; ) {
    progress = false;
    for (const c of carried) {
      if (budget.remaining < STEP_CALLS) return;
      if (c.stuck || c.bodies.length === 0) continue;
      const [next, ...rest] = c.bodies as [WorkMessage, ...WorkMessage[]];
      try {
        c.bodies = [...rest, ...(await runStep(env, budget, c.site, [next], now))];
        progress = true;
      } catch (err) {
        console.error('follow-up failed; queueing it', c.site.id, err instanceof Error ? err.message : String(err));
        c.stuck = true;
      }
    }
  }
}

/** The next messages of a site worked together: events and orders up to `EVENTS_PER_STEP` events, else one message. */
function takeStep(messages: Message<WorkMessage>[]): Message<WorkMessage>[] {
  const step: Message<WorkMessage>[] = [];
  let events = 0;
  for (const m of messages) {
    const body = m.body;
    const size = body.k === 'events' ? body.events.length : body.k === 'order' ? 1 : Number.POSITIVE_INFINITY;
    if (step.length > 0 && (size === Number.POSITIVE_INFINITY || events + size > EVENTS_PER_STEP)) break;
    step.push(m);
    events += size;
    if (size === Number.POSITIVE_INFINITY) break;
  }
  return step;
}

/** One bounded step for a site: its events and orders, then their attribution; or one background job. */
async function runStep(
  env: Bindings,
  budget: D1Budget,
  site: Site,
  bodies: WorkMessage[],
  now: number,
): Promise<WorkMessage[]> {
  const db = metered(databaseOf(env, site.database), budget);
  const first = bodies[0]!;
  if (first.k === 'sweep') return sweepStep(db, metered(env.DB, budget), site, first, now);
  if (first.k === 'prune') return pruneStep(db, metered(env.DB, budget), site, first, now);
  const events: IngestEvent[] = [];
  const orderIds: string[] = [];
  const requests: PersonRequest[] = [];
  for (const b of bodies) {
    if (b.k === 'events') events.push(...b.events);
    else if (b.k === 'order') orderIds.push(b.orderId);
    else if (b.k === 'persons') requests.push(...b.requests);
  }
  const ingested =
    events.length + orderIds.length > 0
      ? await ingestStep(db, site, events, orderIds, now)
      : { seeds: noSeeds(), orphans: [] };
  const remaining = await attributionStep(db, site, ingested.seeds, requests, ingested.orphans, now);
  return remaining.length > 0 ? [{ k: 'persons', site: site.id, requests: remaining }] : [];
}

/** Requests per `persons` message: a message stays far below the queue's 128 KB. */
const REQUESTS_PER_MESSAGE = 500;

/** Sends messages to the work queue, splitting large `persons` messages. */
export async function send(env: Bindings, bodies: WorkMessage[]): Promise<void> {
  const split = bodies.flatMap((b): WorkMessage[] =>
    b.k === 'persons' && b.requests.length > REQUESTS_PER_MESSAGE
      ? Array.from({ length: Math.ceil(b.requests.length / REQUESTS_PER_MESSAGE) }, (_, i) => ({
          ...b,
          requests: b.requests.slice(i * REQUESTS_PER_MESSAGE, (i + 1) * REQUESTS_PER_MESSAGE),
        }))
      : [b],
  );
  for (let i = 0; i < split.length; i += SEND_BATCH) {
    await env.WORK_QUEUE.sendBatch(split.slice(i, i + SEND_BATCH).map((body) => ({ body })));
  }
}
