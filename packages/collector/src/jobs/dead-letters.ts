import type { Bindings } from '../env.js';
import type { WorkMessage } from './messages.js';

/** The dead-letter queue's name in wrangler.jsonc. */
export const DEAD_LETTER_QUEUE = 'lasttouch-dead';

const STORE = `insert into dead_letters (received_at, body, attempts) select ?1, j.value->>0, j.value->>1 from json_each(?2) j`;

/**
 * The dead-letter queue's consumer: messages the work queue gave up on (after its retries) are
 * stored in D1 as they came, so nothing accepted is lost; `pnpm --filter @lasttouch/collector
 * replay` sends them to the work queue again. A failed store is retried by the queue.
 */
export async function storeDeadLetters(batch: MessageBatch<WorkMessage>, env: Bindings): Promise<void> {
  const rows = batch.messages.map((m) => [JSON.stringify(m.body), m.attempts]);
  await env.DB.prepare(STORE).bind(Date.now(), JSON.stringify(rows)).run();
  console.error('work parked in dead_letters', batch.messages.length);
  batch.ackAll();
}

const TAKE = `delete from dead_letters where id in (select id from dead_letters order by id limit ?1)
  returning id, body`;

/**
 * Replays up to `limit` dead letters into the work queue (oldest first). They leave the table
 * only in the same step that resends them; a failed send puts them back.
 */
export async function replayDeadLetters(env: Bindings, limit: number): Promise<number> {
  const { results } = await env.DB.prepare(TAKE).bind(limit).all<{ id: number; body: string }>();
  if (results.length === 0) return 0;
  try {
    await env.WORK_QUEUE.sendBatch(results.map((r) => ({ body: JSON.parse(r.body) as WorkMessage })));
  } catch (err) {
    await env.DB.prepare(
      'insert into dead_letters (id, received_at, body, attempts) select j.value->>0, ?1, j.value->>1, 0 from json_each(?2) j',
    )
      .bind(Date.now(), JSON.stringify(results.map((r) => [r.id, r.body])))
      .run();
    throw err;
  }
  return results.length;
}
